// Command corridor serves Corridor's API and browser UI and offers its command-line tools:
// serve (the default), policy, fx, quote, supplier, effects, whatif and backup. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errHelpShown) {
			fmt.Fprintln(os.Stderr, "corridor:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errHelpShown ends a command after --help was printed: exit 0, nothing more to say.
var errHelpShown = errors.New("help shown")

func exitCode(err error) int {
	if errors.Is(err, errHelpShown) {
		return 0
	}
	return 1
}

const usage = `corridor — China–EU compute marketplace and tariff calculator

Usage:
  corridor [serve] [--addr :8080] [--db ./data/corridor.db] [--seed demo|reference|none] [--quote-retention 168h|off]
  corridor policy validate FILE...
  corridor fx import FILE            (ECB eurofxref-daily.xml, eurofxref-hist.csv or .zip)
  corridor quote --offer ID --gpus N --hours H --buyer-country CC --buyer-type business|consumer --currency CUR [--as-of DATE] [--json]
                 [--vat-id ID] [--buyer-headquarters CC] [--buyer-region CODE] [--vat-recovery 60%] [--purpose training|inference|other] [--tax-terms net_of_cn_tax|tax_inclusive]
  corridor supplier create --name NAME --country CC [--establishments CC,…] [--vat-registrations CC:NUMBER,…] [--listings CODE,…]
                    | list | rotate-key --id SUPPLIER
  corridor effects [--file FILE] [--flow CN:100:10%:0%]... [--import-demand-elasticity -1.5] [--format table|csv|json]
  corridor whatif --scenario ID|FILE [--scenario ...] (--basket FILE.csv | --need QUERY --gpus N --hours H --buyer CC:TYPE | --orders-from D --orders-to D)
                  [--sweep SPEC] [--as-of DATE] [--format table|csv|json]
  corridor backup FILE               (a consistent copy of the SQLite database, taken online)
  corridor healthcheck [--addr ADDR] (probes /healthz; the container's HEALTHCHECK)

Environment: CORRIDOR_ADDR, CORRIDOR_DB, CORRIDOR_SEED, CORRIDOR_QUOTE_RETENTION, CORRIDOR_ADMIN_TOKEN;
serve's limits (connections, bodies, rate limits, timeouts, trusted proxies, TLS) are in
corridor serve --help.
Each command takes --help.
`

// run is the whole program: main only supplies the process's context, arguments, environment
// and streams, so tests can run Corridor in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
		fmt.Fprint(stdout, usage)
		return errHelpShown
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCommand(ctx, args, getenv, stdout, stderr)
	case "policy":
		return policyCommand(args, stdout, stderr)
	case "fx":
		return fxCommand(ctx, args, getenv, stdout, stderr)
	case "quote":
		return quoteCommand(ctx, args, getenv, stdout, stderr)
	case "supplier":
		return supplierCommand(ctx, args, getenv, stdout, stderr)
	case "effects":
		return effectsCommand(args, os.Stdin, stdout)
	case "whatif":
		return whatifCommand(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args, getenv, stdout)
	case "healthcheck":
		return healthcheckCommand(ctx, args, getenv, stdout)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return errHelpShown
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
