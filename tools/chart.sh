#!/usr/bin/env bash
# chart.sh OUTDIR RESULT.json...: PNG charts of conpar runs with gnuplot.
#   OUTDIR/cpu.png   median seconds per CPU strategy, one bar per JSON, labelled with the talk's
#                    analog
#   OUTDIR/io.png    seconds per IO strategy and request count
#   OUTDIR/sweep.png speedup curves of a --sweep run
# The seconds axis is logarithmic when the values span more than a decade.
# Needs gnuplot (apt-get install gnuplot-nox) and python3 (to read the JSON).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: chart.sh OUTDIR RESULT.json..." >&2; exit 2; }
out=$1
shift
command -v gnuplot >/dev/null || { echo "chart.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

# one data file per phase: a row per strategy, a column per JSON
/usr/bin/env python3 - "$data" "$@" <<'PY'
import json, sys
out, files = sys.argv[1], sys.argv[2:]
docs = [json.load(open(f)) for f in files]
def label(row):
    return f"{row['strategy']}\\n{row['talk_analog']}".replace('"', "'")
def write(name, rows_of, value):
    keys, table = [], {}
    for i, d in enumerate(docs):
        for row in rows_of(d):
            k = label(row)
            if k not in table:
                keys.append(k)
                table[k] = [None] * len(docs)
            table[k][i] = value(row)
    values = [v for row in table.values() for v in row if v]
    with open(f"{out}/{name}.min", "w") as f:
        # a log scale when the values span more than a decade (the talk's 15 s against 0.17 s)
        wide = bool(values) and max(values) / min(values) > 10
        f.write(("log %r" % (min(values) / 3)) if wide else "linear 0")
        f.write("\n")
    with open(f"{out}/{name}.dat", "w") as f:
        f.write("label " + " ".join(f'"{fn}"' for fn in files) + "\n")
        for k in keys:
            f.write(f'"{k}" ' + " ".join("NaN" if v is None else repr(v) for v in table[k]) + "\n")
    return len(keys)
cpu = write("cpu", lambda d: [r for r in ((d.get("cpu") or {}).get("results") or [])
                              if r.get("seconds")], lambda r: r["seconds"]["median"])
def io_rows(d):
    rows = []
    for r in (d.get("io") or {}).get("results") or []:
        r = dict(r)
        r["strategy"] = f"{r['strategy']} R={r['requests']}"
        rows.append(r)
    return rows
io = write("io", io_rows, lambda r: r["seconds"])
ideal = write("ideal", io_rows, lambda r: r["ideal_seconds"])
# a sweep: speedup over the first value, per strategy (and request count), from the first JSON
sweeps = [d["sweep"] for d in docs if d.get("sweep")]
nsweep = 0
if sweeps:
    sw = sweeps[0]
    series = {}
    for p in sw["points"]:
        name = p["strategy"] + (f" R={p['requests']}" if p.get("requests") else "")
        series.setdefault(name, {})[p["value"]] = p["seconds"]
    with open(f"{out}/sweep.dat", "w") as f:
        for name, pts in series.items():
            first = pts.get(sw["values"][0])
            f.write(f'"{name}"\n')
            for v in sw["values"]:
                if first and pts.get(v):
                    f.write(f"{v} {first / pts[v]}\n")
            f.write("\n\n")
            nsweep += 1
    open(f"{out}/sweep.param", "w").write(sw["parameter"] + "\n")
open(f"{out}/counts", "w").write(f"{cpu} {io} {len(docs)} {nsweep}\n")
PY
read -r ncpu nio ndocs nsweep <"$data/counts"

plot() { # name title ylabel
  local name=$1 title=$2 ylabel=$3 scale low
  read -r scale low <"$data/$name.min"
  local logline="unset logscale y"
  [ "$scale" = log ] && logline="set logscale y"
  gnuplot <<GP
set terminal pngcairo size 1200,700 font "sans,10"
set output "$out/$name.png"
set title "$title"
set ylabel "$ylabel"
$logline
set yrange [$low:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 left
set key top right
set grid ytics
plot for [i=2:$((ndocs + 1))] "$data/$name.dat" using i:xtic(1) title columnhead(i)
GP
}
[ "$ncpu" -gt 0 ] && plot cpu "conpar CPU phase: median seconds per strategy" "seconds" && echo "$out/cpu.png"
[ "$nio" -gt 0 ] && plot io "conpar IO phase: seconds per strategy and request count" "seconds" && echo "$out/io.png"
if [ "$nsweep" -gt 0 ]; then
  param=$(cat "$data/sweep.param")
  gnuplot <<GP
set terminal pngcairo size 1000,650 font "sans,10"
set output "$out/sweep.png"
set title "conpar --sweep $param: speedup over the first value"
set xlabel "$param"
set ylabel "speedup"
set key top left
set grid
plot for [i=0:$((nsweep - 1))] "$data/sweep.dat" index i using 1:2 with linespoints title columnheader(1)
GP
  echo "$out/sweep.png"
fi
exit 0
