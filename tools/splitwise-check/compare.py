# Compares a hetsim serving run folder with a splitwise-sim results folder run on the
# same trace file. Usage: python compare.py HETSIM_RUN SPLITWISE_RESULTS [label]
import sys, collections
import numpy as np
import pandas as pd

hs_dir, sw_dir = sys.argv[1], sys.argv[2]
label = sys.argv[3] if len(sys.argv) > 3 else hs_dir
hs = pd.read_csv(f"{hs_dir}/requests.csv").dropna(subset=["e2e_s"])
sw = pd.read_csv(f"{sw_dir}/detailed/0.csv")
nodes = pd.read_csv(f"{sw_dir}/request_nodes.csv")
sw["request_id"] = sw["request_ids"].astype(int)
sw["e2e_s"] = sw["response_times"]
sw["ttft_s"] = sw["ttft_times"]
sw["tbt_s"] = sw["tbt_times"]
# Instances: splitwise names its runner per task; map each to the hetsim instance
# most of its tasks went to (a bijection when the runs agree), then count agreement.
nodes["request_id"] = nodes["request_id"].astype(int)
tasks = nodes[nodes.node_type.isin(["PROMPT", "TOKEN"])]
m = tasks.merge(hs[["request_id", "prompt_instance", "token_instance"]], on="request_id")
m["hs_inst"] = np.where(m.node_type == "PROMPT", m.prompt_instance, m.token_instance)
mapping = m.groupby("runner")["hs_inst"].agg(lambda s: collections.Counter(s).most_common(1)[0][0])
m["mapped"] = m.runner.map(mapping)
agree_req = m.assign(ok=m.mapped == m.hs_inst).groupby("request_id").ok.all()
j = hs.merge(sw[["request_id", "e2e_s", "ttft_s", "tbt_s"]], on="request_id", suffixes=("_hs", "_sw"))
print(f"== {label}")
print(f"completed: hetsim {len(hs)}, splitwise-sim {len(sw)}; matched {len(j)}")
print(f"instance mapping (splitwise runner -> hetsim instance): {dict(mapping)}; bijective: {mapping.is_unique}")
print(f"requests with both phases on the same instances: {agree_req.mean()*100:.2f} %")
print("metric  q    hetsim      splitwise   diff %")
for k in ["ttft_s", "tbt_s", "e2e_s"]:
    for q in [50, 90, 99]:
        a = np.percentile(hs[k], q)
        b = np.percentile(sw[k], q)
        print(f"{k:7s} p{q:<3d} {a:10.5f} {b:10.5f} {100*(a-b)/b:+8.3f}")
d = (j["e2e_s_hs"] - j["e2e_s_sw"]).abs()
print(f"per request |E2E diff|: max {d.max():.3g} s, requests within 1 ms: {(d < 1e-3).mean()*100:.2f} %")
