package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"corridor/marketplace"
	"corridor/seed"
	"corridor/tariff"
)

// policyCommand handles `corridor policy validate FILE...`: it checks policy and scenario
// documents and prints every problem as FILE:LINE:COL: message. Scenarios are checked against a
// policy given in the same command whose id is their base, else against the embedded baseline
// when their base is "baseline", else for overlay syntax only.
func policyCommand(args []string, stdout, stderr io.Writer) error {
	const usage = `Usage: corridor policy validate FILE...

Checks policy documents (format: corridor.policy/v1) and scenario documents
(format: corridor.scenario/v1), YAML or JSON, and prints every problem as
FILE:LINE:COL: [measure id] message (hint). Exits 1 when there is any problem.
The language is described in docs/policy-language.md.
`
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return errors.New("policy: missing subcommand (validate)")
		}
		return errHelpShown
	}
	if args[0] != "validate" {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("policy: unknown subcommand %q (want validate)", args[0])
	}
	files := args[1:]
	for _, f := range files {
		if f == "--help" || f == "-h" {
			fmt.Fprint(stdout, usage)
			return errHelpShown
		}
	}
	if len(files) == 0 {
		return errors.New("policy validate: no file given (see --help)")
	}
	var docs []marketplace.PolicyDoc
	var all tariff.Problems
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			all = append(all, tariff.Problem{File: name, Message: "cannot read: " + strings.TrimPrefix(err.Error(), "open "+name+": ")})
			continue
		}
		docs = append(docs, marketplace.PolicyDoc{Name: name, Data: data})
	}
	// The same checks as the policy API's, with the embedded baseline as the base of last resort.
	all = append(all, marketplace.ValidatePolicyDocs(docs, func(id string) *tariff.Policy {
		if id != marketplace.BaselinePolicyID {
			return nil
		}
		p, _ := seed.BaselinePolicy()
		return p
	})...)
	for _, p := range all {
		fmt.Fprintln(stdout, p.String())
	}
	if len(all) > 0 {
		inFiles := map[string]bool{}
		for _, p := range all {
			inFiles[p.File] = true
		}
		return fmt.Errorf("%d %s in %d %s", len(all), plural(len(all), "problem", "problems"), len(inFiles), plural(len(inFiles), "file", "files"))
	}
	fmt.Fprintf(stdout, "%d %s OK\n", len(files), plural(len(files), "file", "files"))
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
