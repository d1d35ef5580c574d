#!/usr/bin/env python3
"""A small MLflow tracking server for the tests (standard library only):
the REST routes trcompare-plot reads, over real HTTP on 127.0.0.1,
serving the runs below.

    mlflowd.py PORTFILE LOGFILE [hostile]

Binds an ephemeral port, writes it to PORTFILE, logs each request's path
and query (a POST's JSON body, Content-Type and Authorization) to LOGFILE (one line each), and serves
until killed:
  GET /api/2.0/mlflow/runs/get?run_id=ID
  GET /api/2.0/mlflow/metrics/get-history?run_id=ID&metric_key=K
      &max_results=N[&page_token=T]
  GET /api/2.0/mlflow/experiments/get?experiment_id=EXP
  POST /api/2.0/mlflow/runs/search {"experiment_ids": [...],
      "run_view_type": "ACTIVE_ONLY"|"DELETED_ONLY"|"ALL",
      "max_results": N, "page_token": T}
as MLflow's REST API answers them (mlflow/server/handlers.py): a run as
{"run": {"info": …, "data": {"metrics": [latest values], "params": …}}},
history pages of at most min(N, PAGE) points with an opaque
next_page_token while more remain (run "loop": always the same token; run
"dupkeys": its key listed 50 times); runs/search pages of at most
min(N, SEARCH_PAGE) runs of the experiments asked for, of the view asked
for, latest start first as MLflow orders them (experiment 1: three active
runs over two pages and a deleted one; 2: only a deleted run; 3: a
page token that never changes; 4: a run id holding "/" and a space; 5:
run_view_type ignored, its deleted run listed too; 6: 1001 runs, in
pages of up to 1000; 7: the runs of the JSON file named by MLFLOWD_LIVE,
read at every request, so a test adds and removes runs while a client
watches: {RUN_ID: {"name": N, "status": S, "start": MS, "loss": [[STEP,
VALUE], ...][, "exp": EXP, another experiment than 7][, "vanish": true]}}; a
run with "vanish" is deleted from the file once a runs/search answer has
listed it, before the client can ask for it);
the same routes under the path prefix /mlflow; int64 fields (timestamp, step) as JSON
strings half the time and NaN as the string "NaN", as protobuf's JSON
writer may send them; an unknown run is 404 RESOURCE_DOES_NOT_EXIST."""
import base64
import http.server
import json
import os
import sys
import urllib.parse

PAGE = 3  # points per page at most, whatever the client asks: several pages
SEARCH_PAGE = 2  # runs per runs/search page at most
EXPERIMENTS = {"0": "Default", "1": "lora sweep", "2": "all deleted", "3": "loop", "4": "bad id",
               "5": "view ignored", "6": "too many runs", "7": "live"}
PREFIX = "/mlflow"  # a server behind a path prefix too: /mlflow/api/... is /api/...

HOSTILE = ["`touch canary`", "$(touch canary);\"q\"'s'", "a\nEOD\nb", "]]></script><script>x</script>",
           "\u202etxt.exe\u2066\u200b", "@x system(\"touch canary\")"]


def points(key, values, t0=1700000000000):
    """VALUES: (step, value) pairs."""
    return [{"key": key, "value": v, "timestamp": t0 + 1000 * s, "step": s} for s, v in values]


RUNS = {
    "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6": {
        "name": "lora-r8", "status": "FINISHED",
        "params": [("learning_rate", "0.0001"), ("lora_r", "8")],
        "metrics": {
            "loss": points("loss", [(s, 3.0 - 0.25 * s) for s in range(1, 9)]),
            "eval_loss": points("eval_loss", [(4, 2.125), (8, 1.5)]),
            "train/grad_norm": points("train/grad_norm", [(1, 0.5), (2, "NaN"), (3, 0.25)]),
        },
    },
    "ffff0000ffff0000ffff0000ffff0000": {
        "name": "", "status": "RUNNING", "params": [],
        "metrics": {"loss": points("loss", [(1, 2.5), (2, 2.25)])},
    },
    # A server that lists one key 50 times: read once.
    "dupkeys": {
        "name": "dup", "status": "FINISHED", "params": [], "dup": 50,
        "metrics": {"loss": points("loss", [(1, 2.0), (2, 1.5)])},
    },
    # A server whose page token never changes: an error, not 1000 requests.
    "loop": {
        "name": "loop", "status": "RUNNING", "params": [], "loop": True,
        "metrics": {"lo\u001b[31mss": points("lo\u001b[31mss", [(1, 2.0)])},
    },
    # A metric named "step" (its values not the steps): no point, the
    # steps of loss stay 1 and 2.
    "stepkey": {
        "name": "stepkey", "status": "FINISHED", "params": [],
        "metrics": {"loss": points("loss", [(1, 2.0), (2, 1.5)]),
                    "step": points("step", [(1, 100), (2, -7.5)])},
    },
    # A metric named "time" (its values not the timestamps): the time
    # column stays the points' timestamps, the values are time_metric.
    "timekey": {
        "name": "timekey", "status": "FINISHED", "params": [],
        "metrics": {"loss": points("loss", [(1, 2.0), (2, 1.5)]),
                    "time": points("time", [(1, 0.25), (2, 0.5)])},
    },
    # Hugging Face's Trainer through its MLflow callback: the summary's
    # train_loss (the run's mean) at the last step, listed first here.
    "hfsum": {
        "name": "hfsum", "status": "FINISHED", "params": [],
        "metrics": {"train_loss": points("train_loss", [(2, 1.875)]),
                    "loss": points("loss", [(1, 2.0), (2, 1.75)]),
                    "train_runtime": points("train_runtime", [(2, 12.5)])},
    },
    # Experiment 1: started in the order exp1-first, (no name), exp1-last;
    # a deleted run between them.
    "e1000000000000000000000000000003": {
        "name": "exp1-last", "status": "FINISHED", "params": [], "exp": "1", "start": 1700000300000,
        "metrics": {"loss": points("loss", [(1, 1.25), (2, 1.0)])},
    },
    "e1000000000000000000000000000001": {
        "name": "exp1-first", "status": "FINISHED", "params": [("lr", "0.1")], "exp": "1",
        "start": 1700000100000,
        "metrics": {"loss": points("loss", [(1, 3.0), (2, 2.5)])},
    },
    "e1000000000000000000000000000002": {
        "name": "", "status": "RUNNING", "params": [], "exp": "1", "start": 1700000200000,
        "metrics": {"loss": points("loss", [(1, 2.0), (2, 1.75)])},
    },
    "e1dddddddddddddddddddddddddddddd": {
        "name": "exp1-deleted", "status": "FAILED", "params": [], "exp": "1", "start": 1700000150000,
        "deleted": True, "metrics": {"loss": points("loss", [(1, 9.0)])},
    },
    "e2dddddddddddddddddddddddddddddd": {
        "name": "exp2-deleted", "status": "FINISHED", "params": [], "exp": "2", "start": 1700000000000,
        "deleted": True, "metrics": {"loss": points("loss", [(1, 9.0)])},
    },
    "e3000000000000000000000000000001": {
        "name": "exp3", "status": "FINISHED", "params": [], "exp": "3", "start": 1700000000000,
        "metrics": {"loss": points("loss", [(1, 9.0)])},
    },
    # Experiment 4: a run id that cannot stand in a URL's fragment.
    "../e4 x": {
        "name": "exp4", "status": "FINISHED", "params": [], "exp": "4", "start": 1700000000000,
        "metrics": {"loss": points("loss", [(1, 9.0)])},
    },
    "e5000000000000000000000000000001": {
        "name": "exp5-live", "status": "FINISHED", "params": [], "exp": "5", "start": 1700000000000,
        "metrics": {"loss": points("loss", [(1, 1.0)])},
    },
    "e5dddddddddddddddddddddddddddddd": {
        "name": "exp5-deleted", "status": "FINISHED", "params": [], "exp": "5", "start": 1700000000001,
        "deleted": True, "metrics": {"loss": points("loss", [(1, 9.0)])},
    },
    "h0st1le": {
        "name": "x`touch canary`\n]]></script>", "status": "KILLED",
        "params": [(k, HOSTILE[-1 - i]) for i, k in enumerate(HOSTILE)],
        "metrics": dict([("loss", points("loss", [(1, 2.0), (2, 1.75)]))] +
                        [(k, points(k, [(s, 1.0 / (s + i)) for s in range(1, 5)]))
                         for i, k in enumerate(HOSTILE)]),
    },
}

# Experiment 6: one run more than a JOB may stand for.
for i in range(1001):
    RUNS["e6%030d" % i] = {"name": "", "status": "FINISHED", "params": [], "exp": "6",
                           "start": 1700000000000 + i, "metrics": {}}


def all_runs():
    """RUNS and experiment 7's runs, as MLFLOWD_LIVE's file holds them now."""
    live = os.environ.get("MLFLOWD_LIVE")
    if not live or not os.path.exists(live):
        return RUNS
    out = dict(RUNS)
    with open(live) as f:
        for rid, r in json.load(f).items():
            out[rid] = {"name": r["name"], "status": r["status"], "params": [], "exp": r.get("exp", "7"),
                        "start": r["start"], "metrics": {"loss": points("loss", r["loss"])},
                        "vanish": r.get("vanish", False)}
    return out


def vanish(rids):
    """Deletes the runs RIDS from MLFLOWD_LIVE's file (renamed into place)."""
    live = os.environ["MLFLOWD_LIVE"]
    with open(live) as f:
        runs = json.load(f)
    for rid in rids:
        runs.pop(rid, None)
    with open(live + ".vanish", "w") as f:
        json.dump(runs, f)
    os.rename(live + ".vanish", live)


def wire(p, i):
    """Point P as the server sends it: int64s as strings for odd I."""
    q = dict(p)
    if i % 2:
        q["timestamp"] = str(q["timestamp"])
        q["step"] = str(q["step"])
    return q


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def split(self):
        u = urllib.parse.urlsplit(self.path)
        if u.path.startswith(PREFIX + "/api/"):
            u = u._replace(path=u.path[len(PREFIX):])
        return u

    def do_POST(self):
        u = self.split()
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        ctype = self.headers.get("Content-Type", "")
        try:
            q = json.loads(raw)
        except ValueError:
            q = None
        with open(LOG, "a") as f:
            f.write(json.dumps([u.path, q, ctype, self.headers.get("Authorization")]) + "\n")
        if u.path != "/api/2.0/mlflow/runs/search":
            return self.answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such route"})
        if not isinstance(q, dict) or ctype != "application/json":
            return self.answer(400, {"error_code": "BAD_REQUEST", "message": "not JSON"})
        exps = q.get("experiment_ids", [])
        for e in exps:
            if e not in EXPERIMENTS:
                return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST",
                                         "message": "Could not find experiment with ID %s" % e})
        view = "ALL" if "5" in exps else q.get("run_view_type", "ACTIVE_ONLY")
        runs = [(rid, r) for rid, r in all_runs().items() if r.get("exp", "0") in exps and
                (view == "ALL" or (view == "DELETED_ONLY") == bool(r.get("deleted")))]
        runs.sort(key=lambda x: -x[1].get("start", 1700000000000))
        if "3" in exps:
            return self.answer(200, {"runs": [self.run_json(rid, r)["run"] for rid, r in runs],
                                     "next_page_token": "same"})
        start = int(base64.b64decode(q["page_token"]).decode()) if q.get("page_token") else 0
        n = min(int(q.get("max_results", 1000)), 1000 if "6" in exps else SEARCH_PAGE)
        out = {"runs": [self.run_json(rid, r)["run"] for rid, r in runs[start:start + n]]}
        if start + n < len(runs):
            out["next_page_token"] = base64.b64encode(str(start + n).encode()).decode()
        # (Deleted before the answer goes: the client's next request finds it gone.)
        gone = [rid for rid, r in runs[start:start + n] if r.get("vanish")]
        if gone:
            vanish(gone)
        return self.answer(200, out)

    def run_json(self, rid, run):
        latest = [dict(wire(pts[-1], 0)) for pts in run["metrics"].values()] * run.get("dup", 1)
        return {"run": {
            "info": {"run_id": rid, "run_uuid": rid, "run_name": run["name"],
                     "experiment_id": run.get("exp", "0"), "status": run["status"],
                     "start_time": run.get("start", 1700000000000),
                     "lifecycle_stage": "deleted" if run.get("deleted") else "active"},
            "data": {"metrics": latest,
                     "params": [{"key": k, "value": v} for k, v in run["params"]],
                     "tags": [{"key": "mlflow.runName", "value": run["name"]}]}}}

    def do_GET(self):
        u = self.split()
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        with open(LOG, "a") as f:
            f.write(json.dumps([u.path, q]) + "\n")
        if u.path == "/api/2.0/mlflow/experiments/get":
            e = q.get("experiment_id", "")
            if e not in EXPERIMENTS:
                return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST",
                                         "message": "Could not find experiment with ID %s" % e})
            return self.answer(200, {"experiment": {"experiment_id": e, "name": EXPERIMENTS[e],
                                                    "lifecycle_stage": "active"}})
        run = all_runs().get(q.get("run_id", ""))
        if run is None:
            return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST",
                                     "message": "Run '%s' not found." % q.get("run_id", "")})
        if u.path == "/api/2.0/mlflow/runs/get":
            return self.answer(200, self.run_json(q["run_id"], run))
        if u.path == "/api/2.0/mlflow/metrics/get-history":
            pts = run["metrics"].get(q.get("metric_key", ""), [])
            if run.get("loop"):
                return self.answer(200, {"metrics": [wire(p, 0) for p in pts[:1]], "next_page_token": "same"})
            start = int(base64.b64decode(q["page_token"]).decode()) if q.get("page_token") else 0
            n = min(int(q.get("max_results", "25000")), PAGE)
            page = [wire(p, start + i) for i, p in enumerate(pts[start:start + n])]
            out = {"metrics": page}
            if start + n < len(pts):
                out["next_page_token"] = base64.b64encode(str(start + n).encode()).decode()
            return self.answer(200, out)
        return self.answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such route"})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    LOG = sys.argv[2]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()
