#!/usr/bin/env bash
# Installs Triton's perf_analyzer from its PyPI wheel into $1 (a cache folder keyed by version).
# The wheel is built for glibc >= 2.38 and libstdc++ from GCC 13; where the system's are older
# (Debian 12 has 2.36), the newer C runtime is taken from Debian's own packages (trixie) and
# perf_analyzer runs through that runtime's loader. Nothing is installed system-wide.
set -euo pipefail
dest=$1 version=$2 python=${3:-python3}
rm -rf "$dest" && mkdir -p "$dest/bin" "$dest/wheel"
"$python" -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_38_x86_64 \
  -d "$dest/wheel" "perf-analyzer==$version"
(cd "$dest" && "$python" -m zipfile -e wheel/perf_analyzer-*.whl unpacked)
mv "$dest/unpacked/perf_analyzer/bin/perf_analyzer" "$dest/perf_analyzer.real"
chmod +x "$dest/perf_analyzer.real"
rm -rf "$dest/unpacked" "$dest/wheel"

glibc=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
if printf '2.38\n%s\n' "$glibc" | sort -V -C; then
  ln -s ../perf_analyzer.real "$dest/bin/perf_analyzer"
  exit 0
fi

echo ">> glibc $glibc < 2.38: fetching Debian trixie's C runtime for perf_analyzer" >&2
apt_dir="$dest/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$dest/runtime"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  >"$apt_dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::status=/dev/null
  -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -qq update
(cd "$apt_dir/debs" && apt-get "${opts[@]}" -qq download libc6 libstdc++6 libgcc-s1)
for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$dest/runtime"; done
rm -rf "$apt_dir"
cat >"$dest/bin/perf_analyzer" <<WRAP
#!/bin/sh
# perf_analyzer through Debian trixie's loader and C runtime (the system's glibc is older than 2.38).
rt="$dest/runtime/usr/lib/x86_64-linux-gnu"
exec "$dest/runtime/usr/lib64/ld-linux-x86-64.so.2" --library-path "\$rt:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" "$dest/perf_analyzer.real" "\$@"
WRAP
chmod +x "$dest/bin/perf_analyzer"
