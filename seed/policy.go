package seed

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"corridor/tariff"
)

// policyFS holds the baseline policy and the scenario library.
//
//go:embed policy
var policyFS embed.FS

// BaselinePath is the embedded path of the baseline policy document.
const BaselinePath = "policy/baseline.yaml"

// PolicyFiles returns every embedded policy and scenario document, by path
// ("policy/baseline.yaml", "policy/scenarios/….yaml").
func PolicyFiles() map[string][]byte {
	out := map[string][]byte{}
	_ = fs.WalkDir(policyFS, "policy", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := policyFS.ReadFile(path)
		if err != nil {
			return err
		}
		out[path] = b
		return nil
	})
	return out
}

// BaselinePolicy parses the embedded baseline policy.
func BaselinePolicy() (*tariff.Policy, error) {
	b, err := policyFS.ReadFile(BaselinePath)
	if err != nil {
		return nil, fmt.Errorf("seed: baseline policy: %w", err)
	}
	return tariff.ParsePolicy(BaselinePath, b)
}

// Scenarios parses the embedded scenario library, in file-name order.
func Scenarios() ([]*tariff.Scenario, error) {
	files := PolicyFiles()
	var paths []string
	for p := range files {
		if strings.HasPrefix(p, "policy/scenarios/") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	out := make([]*tariff.Scenario, 0, len(paths))
	for _, p := range paths {
		s, err := tariff.ParseScenario(p, files[p])
		if err != nil {
			return nil, fmt.Errorf("seed: scenario %s: %w", p, err)
		}
		out = append(out, s)
	}
	return out, nil
}
