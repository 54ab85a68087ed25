# Writes a splitwise-sim trace CSV: Poisson arrivals at RATE/s for DUR s, (prompt,
# output) pairs drawn with replacement from an Azure LLM trace. Usage:
#   python make_trace.py AZURE_CSV RATE DUR SEED OUT_CSV
import sys
import numpy as np
import pandas as pd

src, rate, dur, seed, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = np.random.default_rng(seed)
az = pd.read_csv(src)
n = int(rate * dur * 2 + 100)
t = np.cumsum(rng.exponential(1.0 / rate, n))
t = t[t < dur]
idx = rng.integers(0, len(az), len(t))
df = pd.DataFrame({
    "request_id": np.arange(len(t)),
    "request_type": 2,
    "application_id": 0,
    "arrival_timestamp": t,
    "batch_size": 1,
    "prompt_size": az["ContextTokens"].values[idx],
    "token_size": az["GeneratedTokens"].values[idx],
})
df.to_csv(out, index=False)
print(len(df), "requests ->", out)
