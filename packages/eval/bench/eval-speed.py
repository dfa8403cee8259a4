"""PyTorch twin of eval-speed.ts: the same protocol on the same shapes (N = 60000, D = 192,
10 classes; probe = standardization with train statistics + Linear + AdamW, batch 256, 10 epochs;
weighted kNN k = 20 of KNN_TEST_ROWS test rows; RankMe via svdvals), so the TypeScript timings can be
read as ratios.   /usr/bin/python3 packages/eval/bench/eval-speed.py
"""
import os
import time
import torch

N, D, C, TEST = 60000, 192, 10, 10000
KNN_TEST_ROWS = int(os.environ.get("KNN_TEST_ROWS", "1000"))
g = torch.Generator().manual_seed(0)
centres = 0.3 * torch.randn(C, D, generator=g)


def blobs(rows):
    y = torch.randint(0, C, (rows,), generator=g)
    return torch.randn(rows, D, generator=g) + centres[y], y


xtr, ytr = blobs(N)
xte, yte = blobs(TEST)


def timed(f):
    t0, c0 = time.perf_counter(), time.process_time()
    r = f()
    return r, f"{time.perf_counter() - t0:.1f} | {time.process_time() - c0:.1f}"


def probe():
    mean, var = xtr.mean(0), xtr.var(0, unbiased=False)
    a, b = (xtr - mean) / (var + 1e-6).sqrt(), (xte - mean) / (var + 1e-6).sqrt()
    head = torch.nn.Linear(D, C)
    opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=5e-4)
    for _ in range(10):
        perm = torch.randperm(N, generator=g)
        for s in range(0, N, 256):
            idx = perm[s:s + 256]
            loss = torch.nn.functional.cross_entropy(head(a[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return (head(b).argmax(1) == yte).float().mean().item()


@torch.no_grad()
def knn():
    tr = torch.nn.functional.normalize(xtr, dim=1)
    te = torch.nn.functional.normalize(xte[:KNN_TEST_ROWS], dim=1)
    correct = 0
    for s in range(0, KNN_TEST_ROWS, 256):
        sims, idx = (te[s:s + 256] @ tr.T).topk(20, dim=1)
        votes = torch.zeros(sims.shape[0], C).scatter_add_(1, ytr[idx], (sims / 0.07).exp())
        correct += (votes.argmax(1) == yte[s:s + sims.shape[0]]).sum().item()
    return correct / KNN_TEST_ROWS


def rankme():
    s = torch.linalg.svdvals(xtr.double())
    p = s / s.sum() + 1e-7
    return torch.exp(-(p * p.log()).sum()).item()


print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, N = {N}, D = {D}, C = {C}")
print("| measurement | wall s | CPU s | result |\n|---|---:|---:|---|")
r, t = timed(probe)
print(f"| linear probe, 10 epochs, batch 256 | {t} | top-1 {100 * r:.1f}% |")
r, t = timed(knn)
print(f"| kNN k = 20, {KNN_TEST_ROWS} test rows x {N} train rows | {t} | top-1 {100 * r:.1f}% |")
r, t = timed(rankme)
print(f"| RankMe of [{N}, {D}] (svdvals, float64) | {t} | {r:.1f} |")
