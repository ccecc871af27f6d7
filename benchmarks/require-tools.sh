# Sourced by the load benchmarks: installs wrk and Redis with apt-get when they are missing and
# the script runs as root, else names what is missing and stops.
for tool in wrk redis-server redis-cli; do
	if ! command -v "$tool" >/dev/null; then
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq && apt-get install -y -qq wrk redis-server redis-tools >/dev/null
		else
			echo "missing: $tool" >&2
			exit 1
		fi
	fi
done
