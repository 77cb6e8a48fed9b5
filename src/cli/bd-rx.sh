#!/bin/sh
# The `bd-rx` command. bd-rx makes no TLS connections, yet node parses the whole bundle named by
# NODE_EXTRA_CA_CERTS (where set, e.g. /etc/ssl/certs/ca-certificates.crt) at every start,
# before any JavaScript runs: 50-90 ms here, more than bd-rx's own start-up. Drop it for this
# process only, then run the compiled CLI.
unset NODE_EXTRA_CA_CERTS
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
exec node "${self%/src/cli/bd-rx.sh}/dist/cli/bin.js" "$@"
