#!/bin/bash
# Measures the real window under Xvfb :90 (start it first: Xvfb :90 -screen 0 1280x800x24 &).
# Needs xdotool and python-xlib (pip); not used by CI. Usage: scripts/measure_renderer.sh glow|wgpu
# usage: measure.sh RENDERER -> prints frame stats line and CPU seconds
R=$1
export DISPLAY=:90
BIN=${SEGSCOPE_BIN:-target/release/segscope}
HOME=/tmp/home_$R; mkdir -p $HOME
$BIN --renderer $R --frame-stats 2> /tmp/fs_$R.err &
PID=$!
sleep 12
WID=$(xdotool search --pid $PID 2>/dev/null | tail -1)
xdotool mousemove 640 400; sleep 1
T0=$(awk '{print $14+$15}' /proc/$PID/stat)
for i in $(seq 1 20); do xdotool mousemove $((300+i*30)) $((300+(i%5)*40)); sleep 0.1; done
for x in 196 270 332 390 460; do xdotool mousemove $x 24 click 1; sleep 0.8; done
T1=$(awk '{print $14+$15}' /proc/$PID/stat)
echo "$R: cpu ticks during 20 moves + 5 tab clicks: $((T1-T0)) (1/100 s)"
python3 "$(dirname "$0")/x11_close_window.py" $WID
sleep 3
kill $PID 2>/dev/null
grep -i 'frame stats\|error' /tmp/fs_$R.err | tail -3
