#!/usr/bin/env bash
# Starts a Docker engine on /var/run/docker.sock if none answers, and builds the local busybox test image
# (no registry is reachable from these machines). Safe to run again.
set -euo pipefail
if ! docker info >/dev/null 2>&1; then
  nohup dockerd --host unix:///var/run/docker.sock --bridge=none --iptables=false --ip-masq=false >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start:"; tail -20 /tmp/dockerd.log; exit 1; }
fi
if ! docker image inspect local/busybox:1 >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/www"
  cp /bin/busybox "$rootfs/bin/"
  for applet in sh echo sleep cat httpd nc wget ls true false date env printf seq kill; do ln -s busybox "$rootfs/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["sleep","3600"]' - local/busybox:1 >/dev/null
  rm -rf "$rootfs"
fi
echo "docker ready: $(docker version --format '{{.Server.Version}}') with local/busybox:1"
