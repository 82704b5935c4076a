#!/usr/bin/env bash
# Redis for the cluster tests: `.ci/redis.sh start DIR` starts redis-server on a free 127.0.0.1 port with
# a random password, under a loop that starts it again whenever it exits (as a service manager would, so
# a test can restart it with SHUTDOWN NOSAVE), and prints the URL for $WORKBENCH_TEST_REDIS.
# `.ci/redis.sh stop DIR` ends the loop, then Redis.
set -uo pipefail
cmd=${1:?start or stop}
dir=${2:?state folder}
case "$cmd" in
start)
  mkdir -p "$dir"
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  pass=$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")
  (
    # Bounded: at most 50 restarts, so a Redis that cannot start does not loop for ever.
    for _ in $(seq 1 50); do
      [ -e "$dir/stop" ] && break
      redis-server --port "$port" --bind 127.0.0.1 --requirepass "$pass" --save '' --appendonly no \
        >>"$dir/redis.log" 2>&1 &
      echo $! >"$dir/redis.pid"
      wait $!
      sleep 0.2
    done
  ) </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/loop.pid"
  for _ in $(seq 1 100); do
    redis-cli -p "$port" -a "$pass" --no-auth-warning ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  echo "redis://:$pass@127.0.0.1:$port"
  ;;
stop)
  touch "$dir/stop"
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
  [ -f "$dir/loop.pid" ] && wait "$(cat "$dir/loop.pid")" 2>/dev/null
  [ -f "$dir/loop.pid" ] && kill "$(cat "$dir/loop.pid")" 2>/dev/null
  sleep 0.3
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
  rm -rf "$dir"
  ;;
esac
