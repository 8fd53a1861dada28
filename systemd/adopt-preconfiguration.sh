#!/bin/sh
# adopt-preconfiguration SOURCE DEST
#
# Moves a factory DevicePreconfiguration from the boot partition into the agent's state
# directory, for systemd/boot-preconfiguration.conf (ExecStartPre=+, so it runs as root).
# Why: the boot partition is FAT, writable by root only, and the agent runs unprivileged,
# so the agent itself could neither rewrite the file without its seed nor delete it, and a
# plaintext seed would stay on a card anyone can read in a PC.
#
# Crash-safe at every step: the copy is written to a temporary name, flushed and renamed,
# so DEST is either absent or complete; an existing DEST is never replaced (the agent may
# already have rewritten it without its private part); SOURCE is removed only after DEST is
# durable. A power cut anywhere leaves a state the next start finishes. Nothing to do when
# SOURCE is absent, which is every start after the first.
set -eu

src=${1:?usage: adopt-preconfiguration SOURCE DEST}
dest=${2:?usage: adopt-preconfiguration SOURCE DEST}
[ -f "$src" ] || exit 0

dir=$(dirname -- "$dest")
if [ ! -e "$dest" ]; then
  tmp="$dest.adopting"
  rm -f -- "$tmp"
  (umask 077 && cp -- "$src" "$tmp")
  # Owned like the state directory, i.e. by the agent's (dynamic) user.
  chown --reference="$dir" -- "$tmp"
  sync -- "$tmp"
  mv -f -- "$tmp" "$dest"
  sync -- "$dir"
fi
# Overwrite before unlinking: FAT frees clusters without clearing them. (Flash wear levelling
# may still keep old blocks; the agent's keystore, not this, is what protects the seed.)
shred --zero --iterations=1 --remove=wipesync -- "$src"
sync -- "$(dirname -- "$src")"
