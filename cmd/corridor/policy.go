package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

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
	type doc struct {
		name     string
		data     []byte
		scenario bool
		base     string
	}
	var docs []doc
	var all tariff.Problems
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			all = append(all, tariff.Problem{File: name, Message: "cannot read: " + strings.TrimPrefix(err.Error(), "open "+name+": ")})
			continue
		}
		d := doc{name: name, data: data}
		var head struct {
			Format string `yaml:"format"`
			Base   string `yaml:"base"`
		}
		if yaml.Unmarshal(data, &head) == nil && head.Format == tariff.FormatScenario {
			d.scenario, d.base = true, head.Base
		}
		docs = append(docs, d)
	}
	// Policies first, so that scenarios can be checked against them.
	bases := map[string]*tariff.Policy{}
	for _, d := range docs {
		if d.scenario {
			continue
		}
		p, err := tariff.ParsePolicy(d.name, d.data)
		if err != nil {
			var ps tariff.Problems
			if errors.As(err, &ps) {
				all = append(all, ps...)
			} else {
				all = append(all, tariff.Problem{File: d.name, Message: err.Error()})
			}
			continue
		}
		bases[p.ID] = p
	}
	for _, d := range docs {
		if !d.scenario {
			continue
		}
		base := bases[d.base]
		if base == nil && d.base == "baseline" {
			base, _ = seed.BaselinePolicy()
		}
		if base != nil {
			all = append(all, tariff.ValidateScenarioAgainst(base, d.name, d.data)...)
		} else {
			all = append(all, tariff.Validate(d.name, d.data)...)
		}
	}
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
