package seed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// jsonValue turns a YAML node into the values encoding/json (with UseNumber) would produce, so
// that a YAML document can be checked against the JSON Schema. Dates stay strings.
func jsonValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return jsonValue(n.Content[0])
	case yaml.AliasNode:
		return jsonValue(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := jsonValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := jsonValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		return n.Value == "true", nil
	case "!!int", "!!float":
		return json.Number(n.Value), nil
	case "!!str", "!!timestamp":
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unsupported tag %s", n.Line, n.ShortTag())
}

func TestPolicyFilesMatchJSONSchema(t *testing.T) {
	raw, err := os.ReadFile("../docs/policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("policy.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for path, data := range PolicyFiles() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			t.Fatal(err)
		}
		v, err := jsonValue(&n)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	// And the schema rejects what the validator rejects.
	for _, bad := range []string{
		"format: corridor.policy/v1\nid: x\nmeasures: [{id: a, kind: vat, jurisdiction: DE, rate: \"19 %\", base: net_price, legal: [x]}]\n",
		"format: corridor.policy/v1\nid: x\nmeasures: [{id: a, kind: vat, jurisdiction: DE, rate: \"19%\", base: net_price, legal: [x], colour: red}]\n",
		"format: corridor.policy/v1\nid: x\nmeasures: [{id: g, kind: gate, jurisdiction: US, rate: \"1%\", legal: [x]}]\n",
		"format: corridor.scenario/v1\nid: s\nbase: b\nchanges: [{remove: {id: x}}]\n",
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(bad), &n); err != nil {
			t.Fatal(err)
		}
		v, _ := jsonValue(&n)
		if schema.Validate(v) == nil {
			t.Errorf("schema accepted:\n%s", bad)
		}
	}
}
