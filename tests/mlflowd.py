#!/usr/bin/env python3
"""A small MLflow tracking server for the tests (standard library only):
the two REST routes trcompare-plot reads, over real HTTP on 127.0.0.1,
serving the runs below.

    mlflowd.py PORTFILE LOGFILE [hostile]

Binds an ephemeral port, writes it to PORTFILE, logs each request's path
and query to LOGFILE (one line each), and serves until killed:
  GET /api/2.0/mlflow/runs/get?run_id=ID
  GET /api/2.0/mlflow/metrics/get-history?run_id=ID&metric_key=K
      &max_results=N[&page_token=T]
as MLflow's REST API answers them (mlflow/server/handlers.py): a run as
{"run": {"info": …, "data": {"metrics": [latest values], "params": …}}},
history pages of at most min(N, PAGE) points with an opaque
next_page_token while more remain (run "loop": always the same token; run
"dupkeys": its key listed 50 times); int64 fields (timestamp, step) as JSON
strings half the time and NaN as the string "NaN", as protobuf's JSON
writer may send them; an unknown run is 404 RESOURCE_DOES_NOT_EXIST."""
import base64
import http.server
import json
import sys
import urllib.parse

PAGE = 3  # points per page at most, whatever the client asks: several pages

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
    "h0st1le": {
        "name": "x`touch canary`\n]]></script>", "status": "KILLED",
        "params": [(k, HOSTILE[-1 - i]) for i, k in enumerate(HOSTILE)],
        "metrics": dict([("loss", points("loss", [(1, 2.0), (2, 1.75)]))] +
                        [(k, points(k, [(s, 1.0 / (s + i)) for s in range(1, 5)]))
                         for i, k in enumerate(HOSTILE)]),
    },
}


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

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        with open(LOG, "a") as f:
            f.write(json.dumps([u.path, q]) + "\n")
        run = RUNS.get(q.get("run_id", ""))
        if run is None:
            return self.answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST",
                                     "message": "Run '%s' not found." % q.get("run_id", "")})
        if u.path == "/api/2.0/mlflow/runs/get":
            latest = [dict(wire(pts[-1], 0)) for pts in run["metrics"].values()] * run.get("dup", 1)
            return self.answer(200, {"run": {
                "info": {"run_id": q["run_id"], "run_uuid": q["run_id"], "run_name": run["name"],
                         "experiment_id": "0", "status": run["status"], "start_time": 1700000000000,
                         "lifecycle_stage": "active"},
                "data": {"metrics": latest,
                         "params": [{"key": k, "value": v} for k, v in run["params"]],
                         "tags": [{"key": "mlflow.runName", "value": run["name"]}]}}})
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
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()
