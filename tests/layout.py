#!/usr/bin/env python3
"""tests/layout.py: layout checks for one rendered chart (tests/layout.sh).

    layout.py text FILE NCOLS AXIS TITLES LABELS
    layout.py svg FILE
    layout.py pdf BBOX_FILE          (pdftotext -bbox output)
    layout.py width FILE W           (every line at most W terminal columns)
    layout.py table FILE W N         (-S text: also the first number of each
                                      of the N job rows ends in one column)

TITLES and LABELS are '|'-separated; AXIS is "num" or "time".  Prints each
problem found on stdout and exits 1 when there is one.

Text charts are parsed: every x tic label is whole (a number, or a date or
time for AXIS time), the labels of each panel increase, no more runs of
labels than panel columns (a cut label, "0 500 100 1500", starts a run);
panel titles and legend entries appear intact, apart from their
neighbours (not "500Learning rate" nor "#####qwen-350m").

SVG: each <text> gets a box from its position, font size, anchor and an
estimate of DejaVu Sans glyph widths; every box lies inside the canvas and
no two boxes intersect (by more than a pixel).  PDF: the same with the
word boxes pdftotext measured from the real glyphs.
"""
import re
import sys
import unicodedata


def fail_list(problems):
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


def parses(tok):
    try:
        float(tok)
        return True
    except ValueError:
        return False


def check_text(path, ncols, axis, titles, labels):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    problems = []
    text = "\n".join(lines)
    for t in titles:
        if not re.search(r"(^|(?<=\s))" + re.escape(t) + r"(?=\s|$)", text, re.M):
            problems.append("title %r not intact" % t)
    for lab in labels:
        if not re.search(r"(^|(?<=\s))" + re.escape(lab) + r" \S", text, re.M):
            problems.append("legend entry %r not intact" % lab)
    tic_rows = [i for i, ln in enumerate(lines)
                if ln.strip() and set(ln.strip()) <= {"+", " "} and ln.count("+") >= 2]
    if not tic_rows:
        problems.append("no x tic marks found")
    for i in tic_rows:
        rows = [i + 1] + ([i + 2] if axis == "time" else [])
        for r in rows[:1]:
            if r >= len(lines):
                problems.append("tic row %d: no labels below" % i)
                continue
            toks = lines[r].split()
            if axis == "num":
                bad = [t for t in toks if not parses(t)]
                if bad:
                    problems.append("row %d: x tic labels cut or run together: %r" % (r + 1, lines[r]))
                    continue
                vals = [float(t) for t in toks]
            else:
                bad = [t for t in toks if not re.fullmatch(r"\d\d-\d\d|\d\d:\d\d", t)]
                if bad:
                    problems.append("row %d: date tic labels cut or run together: %r" % (r + 1, lines[r]))
                    continue
                vals = [int(t[:2]) * 100 + int(t[3:]) for t in toks]
            if axis == "time" and r + 1 < len(lines):
                bad = [t for t in lines[r + 1].split() if not re.fullmatch(r"\d\d:\d\d", t)]
                if bad:
                    problems.append("row %d: time tic labels cut or run together: %r"
                                    % (r + 2, lines[r + 1]))
            runs = 1 if vals else 0
            for a, b in zip(vals, vals[1:]):
                if b < a or (b == a and axis == "num"):
                    runs += 1
            if runs > ncols:
                problems.append("row %d: %d runs of x tic labels for %d columns: %r"
                                % (r + 1, runs, ncols, lines[r]))
            if len(vals) < 2 * ncols:
                problems.append("row %d: fewer than 2 x tic labels per panel: %r" % (r + 1, lines[r]))
    for n, ln in enumerate(lines):
        # (in any panel of the row, not only the first: "0 1 +-|")
        for two in re.finditer(r"(?:^|\s)(\S+)\s+(\S+) \+-[+|]", ln):
            if parses(two.group(1)) and parses(two.group(2)):
                problems.append("row %d: y tic labels on one row: %r" % (n + 1, ln))
        m = re.match(r"^(\s*)(\S+) \+-[+|]", ln)
        if m and (not parses(m.group(2)) or m.group(1) == ""):
            problems.append("row %d: y tic label cut: %r" % (n + 1, ln))
    return problems


# DejaVu Sans advance widths in em, roughly (digits and capitals wide,
# punctuation narrow): an estimate, a little generous.
def em_width(s):
    w = 0.0
    for c in s:
        if c.isdigit() or c.isupper() or c in "#$%&*+=?@_~mw":
            w += 0.66 if c not in "mwMW@%" else 0.9
        elif c in " .,:;'|!il()[]/\\-":
            w += 0.36
        else:
            w += 0.6
    return w


def overlaps(boxes, tol):
    problems = []
    for i in range(len(boxes)):
        a = boxes[i]
        for b in boxes[i + 1:]:
            if (min(a[2], b[2]) - max(a[0], b[0]) > tol and
                    min(a[3], b[3]) - max(a[1], b[1]) > tol):
                problems.append("text %r %s overlaps %r %s" % (a[4], fmt(a), b[4], fmt(b)))
    return problems


def fmt(b):
    return "[%.1f,%.1f %.1f,%.1f]" % tuple(b[:4])


def inside(boxes, w, h):
    return ["text %r %s outside the %gx%g canvas" % (b[4], fmt(b), w, h)
            for b in boxes if b[0] < 0 or b[1] < 0 or b[2] > w or b[3] > h]


def check_svg(path):
    src = open(path, encoding="utf-8").read()
    m = re.search(r"<svg[^>]*\bwidth=\"([\d.]+)\"[^>]*\bheight=\"([\d.]+)\"", src)
    w, h = float(m.group(1)), float(m.group(2))
    boxes = []
    for g in re.finditer(r"<g transform=\"translate\(([-\d.]+),([-\d.]+)\)(?: rotate\(([-\d.]+)\))?\"([^>]*)>"
                         r"\s*<text>(.*?)</text>", src, re.S):
        x, y = float(g.group(1)), float(g.group(2))
        attrs, s = g.group(4), re.sub(r"<[^>]*>", "", g.group(5))
        s = s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").strip()
        if not s:
            continue
        fs = float(re.search(r"font-size=\"([\d.]+)\"", attrs).group(1))
        anchor = re.search(r"text-anchor=\"(\w+)\"", attrs)
        anchor = anchor.group(1) if anchor else "start"
        tw = em_width(s) * fs
        x0 = x - (tw if anchor == "end" else tw / 2 if anchor == "middle" else 0)
        box = [x0, y - 0.76 * fs, x0 + tw, y + 0.24 * fs, s]
        if g.group(3) and abs(float(g.group(3))) == 90:  # a rotated label
            d0, d1 = box[0] - x, box[2] - x
            box = [x - 0.76 * fs, y - d1, x + 0.24 * fs, y - d0, s]
        boxes.append(box)
    return inside(boxes, w, h) + overlaps(boxes, 1.0)


def check_pdf(path):
    src = open(path, encoding="utf-8").read()
    m = re.search(r"<page width=\"([\d.]+)\" height=\"([\d.]+)\"", src)
    w, h = float(m.group(1)), float(m.group(2))
    boxes = [[float(a), float(b), float(c), float(d), s] for a, b, c, d, s in
             re.findall(r"<word xMin=\"([-\d.]+)\" yMin=\"([-\d.]+)\" xMax=\"([-\d.]+)\" "
                        r"yMax=\"([-\d.]+)\">(.*?)</word>", src)]
    if not boxes:
        return ["no words in the PDF"]
    return inside(boxes, w, h) + overlaps(boxes, 0.5)


def columns(s):
    """Terminal columns of S: wide (CJK, emoji) 2, combining and format
    characters (U+200B) 0, else 1; a form feed (dumb's page start) 0."""
    n = 0
    for c in s:
        if c == "\f" or unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf", "Cc") \
                or c == "\u200b":
            continue
        n += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return n


def check_width(path, w):
    return ["line %d is %d columns wide, over %d: %r" % (i + 1, columns(ln), w, ln)
            for i, ln in enumerate(open(path, encoding="utf-8").read().split("\n"))
            if columns(ln) > w]


def check_table(path, w, n):
    lines = open(path, encoding="utf-8").read().split("\n")
    problems = check_width(path, w)
    ends = []
    for ln in lines[1:1 + n]:
        m = re.search(r"\s(-?[\d.]+)(?=\s|$)", ln)
        if not m:
            problems.append("no number in the row %r" % ln)
            continue
        ends.append((columns(ln[:m.end()]), ln))
    if len(set(e for e, _ in ends)) > 1:
        problems.append("the rows' first numbers end in different columns: %r" % ends)
    return problems


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "text":
        titles = [t for t in sys.argv[5].split("|") if t]
        labels = [t for t in sys.argv[6].split("|") if t]
        fail_list(check_text(path, int(sys.argv[3]), sys.argv[4], titles, labels))
    elif kind == "svg":
        fail_list(check_svg(path))
    elif kind == "pdf":
        fail_list(check_pdf(path))
    elif kind == "table":
        fail_list(check_table(path, int(sys.argv[3]), int(sys.argv[4])))
    elif kind == "width":
        fail_list(check_width(path, int(sys.argv[3])))
    sys.exit(2)


main()
