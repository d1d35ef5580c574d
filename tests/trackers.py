#!/usr/bin/env python3
"""tests/trackers.py: writes tracker logs for the tests, standard library only.

    trackers.py tfevents DIR   TensorBoard event files (see below)
    trackers.py mlflow DIR     an MLflow file store
    trackers.py mlflowdb DIR   MLflow SQLite stores (DIR/mlflow.db, …)
    trackers.py wandb DIR      W&B run directories (DIR/wandb/...)
    trackers.py examples DIR   examples/tensorboard and examples/mlruns
    trackers.py hostile DIR    one run per tracker with hostile metric names
    trackers.py bench FILE N   one event file of N simple_value scalars

The encoders follow the producers' formats (doc: /work/shared/docs/formats.md;
tensorboard record_writer.py and the event/summary/tensor protos; MLflow
file_store.py, and for mlflow.db the tables as MLflow's alembic migrations
leave them: dbmodels/initial_models.py, 451aebb31d03_add_metric_step.py,
181f10493468_allow_nulls_for_metric_values.py), written from scratch so that the C reader is checked against
an independent implementation.
"""
import os
import struct
import sys

# ---------------------------------------------------------------- CRC-32C

_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = (c >> 8) ^ _TABLE[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data, bad_data_crc=False):
    head = struct.pack("<Q", len(data))
    crc = masked(data) ^ (1 if bad_data_crc else 0)
    return head + struct.pack("<I", masked(head)) + data + struct.pack("<I", crc)


# --------------------------------------------------------------- protobuf

def varint(v):
    v &= (1 << 64) - 1  # negative int64: ten bytes
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(num, wire):
    return varint(num << 3 | wire)


def f_varint(num, v):
    return key(num, 0) + varint(v)


def f_double(num, v):
    return key(num, 1) + struct.pack("<d", v)


def f_float(num, v):
    return key(num, 5) + struct.pack("<f", v)


def f_bytes(num, b):
    if isinstance(b, str):
        b = b.encode()
    return key(num, 2) + varint(len(b)) + b


def event(wall, step, summary=None, extra=b"", session_start=False):
    e = f_double(1, wall) + f_varint(2, step)
    if summary is not None:
        e += f_bytes(5, summary)
    if session_start:
        e += f_bytes(7, f_varint(1, 1))
    return e + extra


def v_simple(tag, v):
    return f_bytes(1, f_bytes(1, tag) + f_float(2, v))


def scalars_meta():
    return f_bytes(9, f_bytes(1, f_bytes(1, "scalars")))


def v_tensor(tag, v, dtype, how):
    """A rank-0 tensor: how = float_val, double_val, packed, content."""
    t = f_varint(1, dtype) + f_bytes(2, b"")
    if how == "content":
        t += f_bytes(4, struct.pack("<f" if dtype == 1 else "<d", v))
    elif how == "packed":
        t += f_bytes(5 if dtype == 1 else 6, struct.pack("<f" if dtype == 1 else "<d", v))
    elif dtype == 1:
        t += f_float(5, v)
    else:
        t += f_double(6, v)
    return f_bytes(1, f_bytes(1, tag) + f_bytes(8, t) + scalars_meta())


def v_image(tag):
    return f_bytes(1, f_bytes(1, tag) + f_bytes(4, f_varint(1, 2) + f_varint(2, 2)))


def v_histo_tensor(tag):
    """A histogram as TF2 writes it: rank-2 DOUBLE tensor, plugin histograms."""
    shape = f_bytes(2, f_bytes(2, f_varint(1, 1)) + f_bytes(2, f_varint(1, 3)))
    t = f_varint(1, 2) + shape + f_bytes(4, struct.pack("<3d", 0, 1, 5))
    meta = f_bytes(9, f_bytes(1, f_bytes(1, "histograms")))
    return f_bytes(1, f_bytes(1, tag) + f_bytes(8, t) + meta)


def summary(*values):
    return b"".join(values)


def version_record(wall):
    return record(f_double(1, wall) + f_bytes(3, "brain.Event:2"))


# ----------------------------------------------------------------- writers

T0 = 1700000000.0


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def tfevents(top):
    # hf/: the Hugging Face Trainer through PyTorch's SummaryWriter:
    # simple_value, one event per tag; a restart at step 30 (session_log
    # START) drops the first session's steps >= 30; one record with a bad
    # data CRC (step 20, dropped); the summary's train/train_loss; an
    # image; the file ends mid-record.
    d = os.path.join(top, "hf")
    out = version_record(T0)
    for step, loss, lr in [(10, 2.5, 1e-4), (20, 2.25, 9e-5), (30, 2.0, 8e-5), (40, 1.75, 7e-5)]:
        bad = step == 20
        out += record(event(T0 + step, step, summary(v_simple("train/loss", loss))), bad_data_crc=bad)
        out += record(event(T0 + step, step, summary(v_simple("train/learning_rate", lr))))
    out += record(event(T0 + 40, 40, summary(v_simple("train/grad_norm", 0.1))))
    out += record(event(T0 + 40, 40, summary(v_image("train/loss_img"))))
    # the restart, from the checkpoint at step 30
    out += record(event(T0 + 100, 30, session_start=True))
    out += record(event(T0 + 130, 30, summary(v_simple("train/loss", 1.5))))
    out += record(event(T0 + 150, 50, summary(v_simple("train/loss", 1.25), v_simple("train/train_loss", 9))))
    out += record(event(T0 + 150, 50, summary(v_simple("eval/loss", 1.4))))
    tail = record(event(T0 + 160, 60, summary(v_simple("train/loss", 1.0))))
    out += tail[: len(tail) - 5]
    write(os.path.join(d, "events.out.tfevents.1700000000.host.1.0"), out)
    # a later evaluate() writes a second file in the same run directory
    out = version_record(T0 + 200) + record(event(T0 + 200, 50, summary(v_simple("eval/accuracy", 0.75))))
    write(os.path.join(d, "events.out.tfevents.1700000200.host.1.1"), out)

    # keras/: train/ and validation/, rank-0 tensors (float_val, packed,
    # tensor_content; DOUBLE too); a histogram skipped; negative step.
    d = os.path.join(top, "keras")
    tr = version_record(T0)
    va = version_record(T0)
    for ep, (l, vl) in enumerate([(0.9, 1.1), (0.7, 0.95), (0.6, 0.9)]):
        how = ["float_val", "packed", "content"][ep]
        tr += record(event(T0 + ep, ep, summary(v_tensor("epoch_loss", l, 1, how),
                                                v_tensor("epoch_learning_rate", 0.001, 1, "float_val"),
                                                v_histo_tensor("dense/kernel"))))
        va += record(event(T0 + ep, ep, summary(v_tensor("epoch_loss", vl, 2, how))))
    tr += record(event(T0 - 1, -1, summary(v_tensor("epoch_loss", 1.0, 1, "float_val"))))
    write(os.path.join(d, "train", "events.out.tfevents.1700000000.host.2.0.v2"), tr)
    write(os.path.join(d, "validation", "events.out.tfevents.1700000000.host.2.1.v2"), va)

    # multi/: two runs in one directory, as TensorBoard's log root
    for name, base in [("run_a", 3.0), ("sub/run_b", 2.0)]:
        out = version_record(T0)
        for step in (1, 2, 3):
            out += record(event(T0 + step, step, summary(v_simple("train/loss", base / step))))
        write(os.path.join(top, "multi", name, "events.out.tfevents.1700000000.h.3.0"), out)
    # a run with a bad length CRC after one good record
    good = version_record(T0) + record(event(T0, 1, summary(v_simple("train/loss", 1.0))))
    broken = bytearray(record(event(T0, 2, summary(v_simple("train/loss", 2.0)))))
    broken[8] ^= 0xFF
    write(os.path.join(top, "badlen", "events.out.tfevents.1.h.4.0"), good + bytes(broken))


def mlflow(top):
    root = os.path.join(top, "mlruns")
    write(os.path.join(root, "0", "meta.yaml"),
          b"artifact_location: file:///x/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n")
    runs = [
        ("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "run_name: lora-r8\n", {
            "loss": [(1700000001000, "2.5", 1), (1700000002000, "2.0", 2), (1700000003000, "nan", 3)],
            "train/grad_norm": [(1700000001000, "0.5", 1), (1700000002000, "inf", 2)],
            "eval_loss": [(1700000002000, "2.2", 2)],
        }),
        ("ffff0000ffff0000ffff0000ffff0000", "name: ''\nrun_name: ''\n", {
            "learning_rate": [(1700000005000, "0.0001", None), (1700000006000, "5e-05", None)],
        }),
    ]
    for rid, namelines, metrics in runs:
        d = os.path.join(root, "0", rid)
        meta = ("artifact_uri: file:///x/mlruns/0/%s/artifacts\nend_time: null\nentry_point_name: ''\n"
                "experiment_id: '0'\nlifecycle_stage: active\n%srun_id: %s\nrun_uuid: %s\n"
                "source_type: 4\nstart_time: 1700000000000\nstatus: 3\nuser_id: me\n"
                % (rid, namelines, rid, rid))
        write(os.path.join(d, "meta.yaml"), meta.encode())
        for k, lines in metrics.items():
            text = "".join("%d %s\n" % (ts, v) if step is None else "%d %s %d\n" % (ts, v, step)
                           for ts, v, step in lines)
            write(os.path.join(d, "metrics", *k.split("/")), text.encode())
        write(os.path.join(d, "params", "lora_r"), b"8")
        if rid.startswith("ffff"):
            write(os.path.join(d, "tags", "mlflow.runName"), b"old-style")
    # a deleted run is left out
    d = os.path.join(root, "0", "dddd")
    write(os.path.join(d, "meta.yaml"), b"run_id: dddd\nrun_name: gone\nlifecycle_stage: deleted\n")
    write(os.path.join(d, "metrics", "loss"), b"1700000001000 9 1\n")

# MLflow's tables after its migrations (SQLAlchemy's DDL for SQLite; the
# columns the reader uses and their neighbours).
MLFLOW_SCHEMA = """
CREATE TABLE experiments (
    experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL,
    artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32),
    creation_time BIGINT, last_update_time BIGINT,
    CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), UNIQUE (name),
    CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')));
CREATE TABLE runs (
    run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20),
    source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256),
    status VARCHAR(9), start_time BIGINT, end_time BIGINT, deleted_time BIGINT,
    source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200),
    experiment_id INTEGER,
    CONSTRAINT run_pk PRIMARY KEY (run_uuid),
    CONSTRAINT status CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')),
    CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id));
CREATE TABLE metrics (
    key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
    run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL,
    is_nan BOOLEAN DEFAULT '0' NOT NULL,
    CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan),
    FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid);
CREATE TABLE params (
    key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT param_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
CREATE TABLE tags (
    key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
"""

MAX_DOUBLE = 1.7976931348623157e308  # MLflow's stand-in for infinity


def mlflow_db(path, runs, statuses=None):
    """RUNS: (run_uuid, name, stage, start_ms, metrics, params, tags); a
    metric point is (key, value, timestamp ms, step); value None is NaN.
    STATUSES: run_uuid -> runs.status (default FINISHED)."""
    import sqlite3
    if os.path.exists(path):
        os.unlink(path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(MLFLOW_SCHEMA)
    db.execute("INSERT INTO alembic_version VALUES ('1b5f0d9ad7c1')")
    db.execute("INSERT INTO experiments VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 0, 0)")
    for rid, name, stage, start, metrics, params, tags in runs:
        db.execute("INSERT INTO runs (run_uuid, name, source_type, status, start_time, "
                   "lifecycle_stage, experiment_id) VALUES (?, ?, 'LOCAL', ?, ?, ?, 0)",
                   (rid, name, (statuses or {}).get(rid, "FINISHED"), start, stage))
        for key, value, ts, step in metrics:
            nan = value is None
            db.execute("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)",
                       (key, 0.0 if nan else value, ts, rid, step, 1 if nan else 0))
        for k, v in params:
            db.execute("INSERT INTO params VALUES (?, ?, ?)", (k, v, rid))
        for k, v in tags:
            db.execute("INSERT INTO tags VALUES (?, ?, ?)", (k, v, rid))
    db.commit()
    db.close()


def mlflowdb(top):
    """DIR/mlflow.db: two live runs and a deleted one; DIR/dup.db: two runs
    of one name; DIR/other.db: an SQLite file that is no MLflow store."""
    a = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
    b = "ffff0000ffff0000ffff0000ffff0000"
    mlflow_db(os.path.join(top, "mlflow.db"), [
        # logged out of order, as several threads of one run may
        (b, "", "active", 1700000100000,
         [("learning_rate", 5e-05, 1700000106000, 2), ("learning_rate", 0.0001, 1700000105000, 1)],
         [("lora_r", "16")], [("mlflow.runName", "old-style")]),
        (a, "lora-r8", "active", 1700000000000,
         [("loss", 2.5, 1700000001000, 1), ("loss", 2.0, 1700000002000, 2),
          ("loss", None, 1700000003000, 3),
          ("train/grad_norm", 0.5, 1700000001000, 1), ("train/grad_norm", MAX_DOUBLE, 1700000002000, 2),
          ("eval_loss", 2.2, 1700000002000, 2),
          ("train/train_loss", 2.1, 1700000003000, 3),
          ("loss", 1.75, 1700000004000, 3)],
         [("lora_r", "8"), ("learning_rate", "0.0001")], [("mlflow.runName", "lora-r8")]),
        ("dddd", "gone", "deleted", 1700000200000, [("loss", 9.0, 1700000201000, 1)], [], []),
    ])
    mlflow_db(os.path.join(top, "dup.db"), [
        ("11111111111111111111111111111111", "dup", "active", 1, [("loss", 1.0, 1000, 1)], [], []),
        ("22222222222222222222222222222222", "dup", "active", 2, [("loss", 2.0, 2000, 1)], [], []),
    ])
    import sqlite3
    db = sqlite3.connect(os.path.join(top, "other.db"))
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()


# A run of each status MLflow has: (run id, name, meta.yaml's status
# number, runs.status in mlflow.db); MLflow's RunStatus enum.
MLFLOW_STATUSES = [
    ("10000000000000000000000000000001", "run-running", 1, "RUNNING"),
    ("10000000000000000000000000000002", "run-scheduled", 2, "SCHEDULED"),
    ("10000000000000000000000000000003", "run-finished", 3, "FINISHED"),
    ("10000000000000000000000000000004", "run-failed", 4, "FAILED"),
    ("10000000000000000000000000000005", "run-killed", 5, "KILLED"),
]


def mlflow_status(top):
    """DIR/mlruns/1: a run of each status (and one whose meta.yaml has no
    status); DIR/status.db: the same five runs in mlflow.db."""
    root = os.path.join(top, "mlruns")
    write(os.path.join(root, "1", "meta.yaml"),
          b"artifact_location: file:///x/mlruns/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: st\n")
    for i, (rid, name, num, _) in enumerate(MLFLOW_STATUSES):
        d = os.path.join(root, "1", rid)
        write(os.path.join(d, "meta.yaml"),
              ("artifact_uri: file:///x/mlruns/1/%s/artifacts\nend_time: null\nexperiment_id: '1'\n"
               "lifecycle_stage: active\nrun_id: %s\nrun_name: %s\nrun_uuid: %s\nsource_type: 4\n"
               "start_time: 170000000%d000\nstatus: %d\nuser_id: me\n"
               % (rid, rid, name, rid, i, num)).encode())
        write(os.path.join(d, "metrics", "loss"), ("1700000001000 %d.5 1\n" % (i + 1)).encode())
    d = os.path.join(top, "nostatus", "1", "20000000000000000000000000000000")
    write(os.path.join(d, "meta.yaml"), b"experiment_id: '1'\nlifecycle_stage: active\n"
          b"run_id: 20000000000000000000000000000000\nrun_name: no-status\n")
    write(os.path.join(d, "metrics", "loss"), b"1700000001000 1.5 1\n")
    mlflow_db(os.path.join(top, "status.db"),
              [(rid, name, "active", 1700000000000 + i, [("loss", i + 1.5, 1700000001000, 1)], [], [])
               for i, (rid, name, _, _) in enumerate(MLFLOW_STATUSES)],
              {rid: word for rid, _, _, word in MLFLOW_STATUSES})


def examples(top):
    """examples/tensorboard and examples/mlruns: small, deterministic."""
    import math
    # A Hugging Face Trainer run (simple_value, one event per tag) and a
    # Keras run (train/ + validation/, rank-0 FLOAT tensors).
    d = os.path.join(top, "tensorboard", "runs", "Nov30_12-00-00_gpu1")
    out = version_record(T0)
    for step in range(10, 210, 10):
        loss = round(2.6 * math.exp(-step / 80) + 0.9, 4)
        lr = 2e-4 * (1 - step / 200)
        out += record(event(T0 + step * 3, step, summary(v_simple("train/loss", loss))))
        out += record(event(T0 + step * 3, step, summary(v_simple("train/learning_rate", lr))))
        if step % 50 == 0:
            out += record(event(T0 + step * 3 + 5, step, summary(v_simple("eval/loss", loss + 0.08))))
    write(os.path.join(d, "events.out.tfevents.1700000000.gpu1.4242.0"), out)
    d = os.path.join(top, "tensorboard", "keras")
    tr, va = version_record(T0), version_record(T0)
    for ep in range(5):
        tr += record(event(T0 + 60 * ep, ep, summary(v_tensor("epoch_loss", 2.2 * 0.8 ** ep + 0.7, 1, "float_val"))))
        va += record(event(T0 + 60 * ep, ep, summary(v_tensor("epoch_loss", 2.3 * 0.8 ** ep + 0.8, 1, "float_val"))))
    write(os.path.join(d, "train", "events.out.tfevents.1700000000.gpu1.77.0.v2"), tr)
    write(os.path.join(d, "validation", "events.out.tfevents.1700000000.gpu1.77.1.v2"), va)
    # An MLflow experiment with two runs of a learning-rate sweep.
    root = os.path.join(top, "mlruns")
    write(os.path.join(root, "1", "meta.yaml"),
          b"artifact_location: mlflow-artifacts:/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: lora-sweep\n")
    for rid, name, lr in [("6f1c0a8e2b7d4e3fa1c29b8d7e6f5a41", "lora-lr1e-4", 1e-4),
                          ("9a2e4c6b8d0f4a1c3e5b7d9f1a3c5e72", "lora-lr3e-4", 3e-4)]:
        d = os.path.join(root, "1", rid)
        write(os.path.join(d, "meta.yaml"), (
            "artifact_uri: mlflow-artifacts:/1/%s/artifacts\nend_time: 1700003600000\n"
            "entry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: %s\n"
            "run_name: %s\nrun_uuid: %s\nsource_name: ''\nsource_type: 4\n"
            "source_version: ''\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: me\n"
            % (rid, rid, name, rid)).encode())
        k = lr / 1e-4
        loss, ev, lrs = "", "", ""
        for step in range(20, 220, 20):
            ts = 1700000000000 + step * 3000
            loss += "%d %r %d\n" % (ts, round(2.5 * math.exp(-step * k / 150) + 0.95, 4), step)
            lrs += "%d %r %d\n" % (ts, lr * (1 - step / 220), step)
            if step % 100 == 0:
                ev += "%d %r %d\n" % (ts, round(2.5 * math.exp(-step * k / 150) + 1.05, 4), step)
        write(os.path.join(d, "metrics", "loss"), loss.encode())
        write(os.path.join(d, "metrics", "eval_loss"), ev.encode())
        write(os.path.join(d, "metrics", "learning_rate"), lrs.encode())
        write(os.path.join(d, "params", "learning_rate"), repr(lr).encode())
        write(os.path.join(d, "tags", "mlflow.runName"), name.encode())


# --------------------------------------------------------------------- W&B

WB_BLOCK = 32768


def wandb_file(records, corrupt=(), cut=0):
    """A .wandb file: the header, then RECORDS (bytes) in LevelDB-log
    chunks as wandb/sdk/internal/datastore.py writes them; the chunks of
    the records whose index is in CORRUPT get a wrong CRC; CUT bytes are
    cut off the end."""
    import zlib
    out = bytearray(b":W&B" + struct.pack("<HB", 0xBEE1, 0))
    for i, data in enumerate(records):
        pos = 0
        first = True
        while True:
            space = WB_BLOCK - len(out) % WB_BLOCK
            if space < 7:
                out += bytes(space)
                continue
            n = min(len(data) - pos, space - 7)
            last = pos + n == len(data)
            kind = (1 if last else 2) if first else (4 if last else 3)
            chunk = data[pos:pos + n]
            crc = zlib.crc32(chunk, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF
            if i in corrupt:
                crc ^= 1
            out += struct.pack("<IHB", crc, n, kind) + chunk
            pos += n
            first = False
            if last:
                break
    return bytes(out[: len(out) - cut] if cut else out)


def wb_history(step, items):
    """A Record with a HistoryRecord: items (key, value_json), step."""
    h = b"".join(f_bytes(1, f_bytes(1, k) + f_bytes(16, v)) for k, v in items)
    h += f_bytes(2, f_varint(1, step))
    return f_varint(1, step + 10) + f_bytes(2, h)


def wb_config_items(update=(), remove=()):
    """A ConfigRecord: UPDATE (key or nested key list, value_json) and
    REMOVE (key or nested key list) items (ConfigItem: key 1, nested_key
    2, value_json 16)."""
    def item(k, v=None):
        b = f_bytes(1, k) if isinstance(k, (str, bytes)) else b"".join(f_bytes(2, p) for p in k)
        return b + (f_bytes(16, v) if v is not None else b"")
    return (b"".join(f_bytes(1, item(k, v)) for k, v in update) +
            b"".join(f_bytes(2, item(k)) for k in remove))


def wb_run(run_id, name, config=None):
    """A Record with a RunRecord (run_id 1, project 3, config 4 a
    ConfigRecord of CONFIG's updates, display_name 8)."""
    cfg = f_bytes(4, wb_config_items(config)) if config else b""
    return f_varint(1, 1) + f_bytes(17, f_bytes(1, run_id) + f_bytes(3, "proj") + cfg + f_bytes(8, name))


def wb_config(update=(), remove=()):
    """A Record with a ConfigRecord (Record field 5)."""
    return f_varint(1, 2) + f_bytes(5, wb_config_items(update, remove))


def wandb(top):
    # run-…-abc123: steps 1..8; step 4's record is 70 kB (a long string
    # beside the loss), split across three blocks; step 7's chunk has a bad
    # CRC, so the rest of its block (step 8) is lost with it.
    # Its config: the run record's (wandb.init(config=…): JSON values, W&B's
    # own _wandb key), then config records (wandb.config.update) that add,
    # change (nested keys), and remove keys.
    recs = [wb_run("abc123", "sweet-sun-1", [
        ("learning_rate", "0.0001"), ("optimizer", '"adamw"'), ("lora", '{"r": 8, "alpha": 16}'),
        ("dropout", "0.1"), ("_wandb", '{"cli_version": "0.16.0"}'),
        ("note", '"tab\\there \\"q\\" \\u00e9"')])]
    recs.append(wb_config([(["sched", "warmup"], "100"), ("optimizer", '"sgd"'), ("seed", "42")],
                          ["dropout"]))
    for step in range(1, 9):
        items = [("_step", str(step)), ("_runtime", "%d.5" % step),
                 ("_timestamp", "%d.25" % (1700000000 + step)),
                 ("train/loss", repr(3.0 - step * 0.25)), ("train/learning_rate", "0.0001")]
        if step == 2:
            items.append(("train/grad_norm", "NaN"))
        if step == 4:
            items.append(("eval/loss", "2.125"))
            items.append(("notes", '"' + "x" * 70000 + '"'))
        recs.append(wb_history(step, items))
    d = os.path.join(top, "wandb", "run-20231114_221320-abc123")
    write(os.path.join(d, "run-abc123.wandb"), wandb_file(recs, corrupt={8}))  # record 8: step 7
    write(os.path.join(d, "files", "wandb-summary.json"), b"{}")
    # offline-run-…-def456: a crash cut the last record short.
    recs = [wb_run("def456", "calm-sea-2")]
    for step in range(0, 3):
        recs.append(wb_history(step, [("_step", str(step)), ("train/loss", repr(2.0 - step / 8))]))
    d = os.path.join(top, "wandb", "offline-run-20231115_080000-def456")
    write(os.path.join(d, "run-def456.wandb"), wandb_file(recs, cut=3))
    os.symlink("run-20231114_221320-abc123", os.path.join(top, "wandb", "latest-run"))


# The names every hostile fixture carries (tests/data/hostile), as tags and
# keys of the other trackers: shell and gnuplot commands, quotes, macros,
# newline, CR, tab, EOD, pipes, markup, bidi and invisible controls.
HOSTILE = [
    "`touch canary`",
    "$(touch canary);\"q\"'s'",
    "@x system(\"touch canary\")",
    "a\nEOD\nb",
    "c\rd\te",
    "|touch canary",
    "<touch canary",
    "]]></script><script>x</script>",
    "\u202etxt.exe\u2066\u200b",
    "^{b}_{c}&{d}",
]


def hostile(top):
    """One run per tracker whose metric names are HOSTILE (tags of a
    TensorBoard file, invalid UTF-8 and a NUL among them; the metric files
    of an MLflow run; the history keys of a W&B run; a CSV header)."""
    names = HOSTILE + ["bad\xff\xfeutf8", "nul\x00byte"]
    tb = bytearray(version_record(T0))
    for step in range(1, 6):
        vals = [v_simple(n.encode("utf-8", "surrogateescape") if "\xff" not in n else
                         n.encode("latin-1"), 1.0 / (step + i)) for i, n in enumerate(names)]
        vals.append(v_simple(b"train/loss", 3.0 - step * 0.25))
        tb += record(event(T0 + step, step, summary(*vals)))
    write(os.path.join(top, "tb", "events.out.tfevents.1700000000.h.1.0"), bytes(tb))

    d = os.path.join(top, "mlruns", "0", "c0ffee00c0ffee00c0ffee00c0ffee00")
    write(os.path.join(top, "mlruns", "0", "meta.yaml"),
          b"experiment_id: '0'\nlifecycle_stage: active\nname: Default\n")
    write(os.path.join(d, "meta.yaml"),
          b"experiment_id: '0'\nlifecycle_stage: active\nrun_id: c0ffee00c0ffee00c0ffee00c0ffee00\n"
          b"run_name: 'x`touch canary`'\nstart_time: 1700000000000\nstatus: 3\n")
    for i, n in enumerate(HOSTILE):
        text = "".join("%d %r %d\n" % (1700000000000 + step, 1.0 / (step + i), step) for step in range(1, 6))
        write(os.path.join(d, "metrics", n.replace("/", "_")), text.encode())
    write(os.path.join(d, "metrics", "loss"), b"1700000001000 2.5 1\n1700000002000 2.0 2\n")
    # params: hostile names (files) and values
    for i, n in enumerate(HOSTILE):
        write(os.path.join(d, "params", "p%d%s" % (i, n.replace("/", "_"))), HOSTILE[-1 - i].encode())

    import json
    # its config: hostile keys, and hostile values as JSON strings
    recs = [wb_run("h0st1le", "`touch canary`",
                   [("c%d%s" % (i, n), json.dumps(HOSTILE[-1 - i])) for i, n in enumerate(HOSTILE)])]
    for step in range(1, 6):
        items = [("_step", str(step)), ("train/loss", repr(3.0 - step * 0.25))]
        items += [(n, repr(1.0 / (step + i))) for i, n in enumerate(HOSTILE)]
        recs.append(wb_history(step, [(k.encode(), v.encode()) for k, v in items]))
    d = os.path.join(top, "wandb", "run-20231114_221320-h0st1le")
    write(os.path.join(d, "run-h0st1le.wandb"), wandb_file(recs))

    def csv_field(n):
        return '"' + n.replace('"', '""') + '"'
    rows = ["step," + ",".join(csv_field(n) for n in HOSTILE)]
    for step in range(1, 6):
        rows.append("%d," % step + ",".join(repr(1.0 / (step + i)) for i in range(len(HOSTILE))))
    write(os.path.join(top, "hostile.csv"), ("\n".join(rows) + "\n").encode())
    del json


def bench(path, n):
    out = bytearray(version_record(T0))
    tags = ["train/loss", "train/learning_rate", "train/grad_norm", "train/epoch"]
    for i in range(n):
        tag = tags[i % 4]
        step = i // 4
        out += record(event(T0 + step, step, summary(v_simple(tag, 1.0 / (1 + i)))))
    write(path, bytes(out))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "tfevents":
        tfevents(sys.argv[2])
    elif what == "mlflow":
        mlflow(sys.argv[2])
    elif what == "mlflowdb":
        mlflowdb(sys.argv[2])
    elif what == "mlflow-status":
        mlflow_status(sys.argv[2])
    elif what == "wandb":
        wandb(sys.argv[2])
    elif what == "examples":
        examples(sys.argv[2])
    elif what == "hostile":
        hostile(sys.argv[2])
    elif what == "bench":
        bench(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: trackers.py tfevents|mlflow|mlflowdb|mlflow-status|wandb|examples|hostile DIR | bench FILE N")
