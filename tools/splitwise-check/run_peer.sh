#!/bin/sh
# Runs splitwise-sim (an unmodified export of Mutinifni/splitwise-sim @ 8f99e7d, with
# configs/config.yaml's Ray launcher lines removed) on trace traces/$1.csv for the five
# configurations of scenarios/llm-serving.yaml. Run from the splitwise-sim folder.
set -e
T=$1
PY=${PY:-python3}
M="applications.0.model_architecture=llama2-70b applications.0.model_size=llama2-70b-fp16 performance_model=db trace.filename=$T seed=0 cluster=half_half"
$PY run.py $M applications.0.scheduler=token_jsq cluster.servers.0.count=4 cluster.servers.1.count=0 start_state=baseline
$PY run.py $M applications.0.scheduler=token_jsq cluster.servers.0.count=0 cluster.servers.1.count=4 start_state=baseline
$PY run.py $M applications.0.scheduler=mixed_pool cluster.servers.0.count=4 cluster.servers.1.count=0 start_state=splitwise start_state.split_type=homogeneous start_state.prompt.num_instances=2 start_state.token.num_instances=2
$PY run.py $M applications.0.scheduler=mixed_pool cluster.servers.0.count=0 cluster.servers.1.count=4 start_state=splitwise start_state.split_type=homogeneous start_state.prompt.num_instances=2 start_state.token.num_instances=2
$PY run.py $M applications.0.scheduler=mixed_pool cluster.servers.0.count=2 cluster.servers.1.count=2 start_state=splitwise start_state.split_type=heterogeneous 'start_state.prompt.instance_names=[dgx-h100]' 'start_state.token.instance_names=[dgx-a100]'
