package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"corridor/marketplace/search"
)

// recorded holds the responses of the handler tests, checked against the OpenAPI document once
// every test of the package has run (TestMain, main_test.go).
var recorded struct {
	sync.Mutex
	list []recordedResponse
}

type recordedResponse struct {
	method, path string
	status       int
	ctype        string
	body         []byte
}

func recordResponse(method, path string, status int, ctype string, body []byte) {
	recorded.Lock()
	defer recorded.Unlock()
	if len(recorded.list) < 5000 {
		recorded.list = append(recorded.list, recordedResponse{method, path, status, ctype, body})
	}
}

const openAPIBase = "https://corridor.example/openapi.json"

// apiDoc is the OpenAPI document parsed generically, with a schema compiler over it.
type apiDoc struct {
	raw      map[string]any
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

func loadAPIDoc(t *testing.T) *apiDoc {
	t.Helper()
	d, err := parseAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// parseAPIDoc reads the served OpenAPI document.
func parseAPIDoc() (*apiDoc, error) {
	var raw map[string]any
	if err := json.Unmarshal(openAPIDocument, &raw); err != nil {
		return nil, fmt.Errorf("openapi.json is not JSON: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openAPIBase, doc); err != nil {
		return nil, err
	}
	return &apiDoc{raw: raw, compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// pointer escapes JSON-pointer tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// schemaAt compiles the schema at a JSON pointer of the document (once).
func (d *apiDoc) schemaAt(ptr string) (*jsonschema.Schema, error) {
	if s, ok := d.compiled[ptr]; ok {
		return s, nil
	}
	s, err := d.compiler.Compile(openAPIBase + "#" + ptr)
	if err != nil {
		return nil, err
	}
	d.compiled[ptr] = s
	return s, nil
}

// resolve follows a local $ref of a components object ("#/components/responses/X").
func (d *apiDoc) resolve(v map[string]any) (map[string]any, []string) {
	if r, ok := v["$ref"].(string); ok {
		toks := strings.Split(strings.TrimPrefix(r, "#/"), "/")
		var cur any = d.raw
		for _, tk := range toks {
			m, _ := cur.(map[string]any)
			cur = m[tk]
		}
		m, _ := cur.(map[string]any)
		return m, toks
	}
	return v, nil
}

var methods = []string{"get", "post", "put", "patch", "delete"}

// TestOpenAPIDocument checks the document: OpenAPI 3.1, every schema a valid JSON Schema
// 2020-12, every registered route documented (and nothing more), every operation with typed
// responses and examples that satisfy their schemas, path parameters declared, and the search
// field catalogue published in full.
func TestOpenAPIDocument(t *testing.T) {
	d := loadAPIDoc(t)
	if v, _ := d.raw["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", v)
	}
	info, _ := d.raw["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Fatal("info needs title and version")
	}
	// The document's structure: a JSON Schema of the parts of OpenAPI 3.1 it uses, written from
	// the specification (the official meta-schema is not vendored here).
	meta, err := os.ReadFile("testdata/openapi-3.1-structure.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	mc := jsonschema.NewCompiler()
	mv, err := jsonschema.UnmarshalJSON(bytes.NewReader(meta))
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.AddResource("structure.json", mv); err != nil {
		t.Fatal(err)
	}
	ms, err := mc.Compile("structure.json")
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
	if err := ms.Validate(whole); err != nil {
		t.Errorf("the document does not have OpenAPI 3.1's structure: %v", err)
	}
	comps := d.raw["components"].(map[string]any)
	for name := range comps["schemas"].(map[string]any) {
		if _, err := d.schemaAt(pointer("components", "schemas", name)); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}

	// Routes of the real server against documented operations.
	e := newSupplyEnv(t)
	routed := map[string]bool{}
	for _, r := range e.app.GetRoutes(true) {
		if r.Method == "HEAD" || (!strings.HasPrefix(r.Path, "/api/v1/") && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics") {
			continue
		}
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")
		routed[strings.ToLower(r.Method)+" "+p] = true
	}
	paths := d.raw["paths"].(map[string]any)
	documented := map[string]bool{}
	opIDs := map[string]bool{}
	for path, item := range paths {
		for _, m := range methods {
			raw, ok := item.(map[string]any)[m]
			if !ok {
				continue
			}
			key := m + " " + path
			documented[key] = true
			op := raw.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || opIDs[id] {
				t.Errorf("%s: missing or duplicate operationId %q", key, id)
			}
			opIDs[id] = true
			d.checkParams(t, key, path, op)
			d.checkResponses(t, key, path, m, op)
		}
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("the OpenAPI document describes %s, which the server does not route", k)
		}
	}

	// The search language's catalogue is published in the description of q.
	var qDesc string
	for _, p := range paths["/api/v1/offers"].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
		if pm := p.(map[string]any); pm["name"] == "q" {
			qDesc, _ = pm["description"].(string)
		}
	}
	for _, f := range search.Fields() {
		if !strings.Contains(qDesc, "`"+f.Name+"`") {
			t.Errorf("search field %s is missing from the description of q", f.Name)
		}
	}
}

func (d *apiDoc) checkParams(t *testing.T, key, path string, op map[string]any) {
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm, _ := d.resolve(p.(map[string]any))
		if pm == nil {
			t.Errorf("%s: unresolved parameter %v", key, p)
			continue
		}
		if pm["in"] == "path" {
			declared[pm["name"].(string)] = true
		}
	}
	for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
		if !declared[m[1]] {
			t.Errorf("%s: path parameter %s is not declared", key, m[1])
		}
	}
}

func (d *apiDoc) checkResponses(t *testing.T, key, path, method string, op map[string]any) {
	resps, _ := op["responses"].(map[string]any)
	if len(resps) == 0 {
		t.Errorf("%s: no responses", key)
	}
	success := false
	for code, r := range resps {
		if code[0] == '2' {
			success = true
		}
		rm, _ := d.resolve(r.(map[string]any))
		if rm == nil {
			t.Errorf("%s %s: unresolved response", key, code)
			continue
		}
		if code == "204" {
			continue
		}
		content, _ := rm["content"].(map[string]any)
		if len(content) == 0 {
			t.Errorf("%s %s: no content", key, code)
		}
		for mt, c := range content {
			cm := c.(map[string]any)
			if cm["schema"] == nil {
				t.Errorf("%s %s %s: no schema", key, code, mt)
				continue
			}
			ex, hasEx := cm["example"]
			if !hasEx {
				if mt == "application/json" && code[0] == '2' {
					t.Errorf("%s %s %s: no example", key, code, mt)
				}
				continue
			}
			if !strings.HasSuffix(mt, "json") {
				continue
			}
			ptr := d.contentPointer(path, method, code, mt, r.(map[string]any))
			s, err := d.schemaAt(ptr)
			if err != nil {
				t.Errorf("%s %s: schema: %v", key, code, err)
				continue
			}
			if err := s.Validate(ex); err != nil {
				t.Errorf("%s %s: the example does not match the schema: %v", key, code, err)
			}
		}
	}
	if !success {
		t.Errorf("%s: no 2xx response", key)
	}
}

// contentPointer is the JSON pointer of a response's schema, through a components $ref.
func (d *apiDoc) contentPointer(path, method, code, mt string, r map[string]any) string {
	if ref, ok := r["$ref"].(string); ok {
		return strings.TrimPrefix(ref, "#") + pointer("content", mt, "schema")
	}
	return pointer("paths", path, method, "responses", code, "content", mt, "schema")
}

// operationFor finds the documented path template matching a request path.
func (d *apiDoc) operationFor(method, reqPath string) (string, map[string]any) {
	reqPath, _, _ = strings.Cut(reqPath, "?")
	paths := d.raw["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys) // literal segments ("batch") before parameters, deterministically
	var best string
	for _, p := range keys {
		re := "^" + regexp.MustCompile(`\\\{\w+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		if regexp.MustCompile(re).MatchString(reqPath) {
			// Fewer parameters win, then more literal text ("{id}.csv" over "{id}").
			if n, b := strings.Count(p, "{"), strings.Count(best, "{"); best == "" || n < b || n == b && len(p) > len(best) {
				best = p
			}
		}
	}
	if best == "" {
		return "", nil
	}
	op, _ := paths[best].(map[string]any)[strings.ToLower(method)].(map[string]any)
	return best, op
}

// validateResponse checks one recorded response against the document.
func (d *apiDoc) validateResponse(r recordedResponse) error {
	path, op := d.operationFor(r.method, r.path)
	code := strconv.Itoa(r.status)
	if name, ok := anyOperationResponses[r.status]; ok && (op == nil || op["responses"].(map[string]any)[code] == nil) {
		return d.validateBody(pointer("components", "responses", name, "content", "application/problem+json", "schema"), r.body)
	}
	if op == nil {
		return fmt.Errorf("no documented operation")
	}
	resps := op["responses"].(map[string]any)
	raw, ok := resps[code]
	if !ok {
		return fmt.Errorf("status %d is not documented (documented: %v)", r.status, keysOf(resps))
	}
	if r.status == 204 {
		return nil
	}
	rm, _ := d.resolve(raw.(map[string]any))
	mt, _, _ := mime.ParseMediaType(r.ctype)
	content, _ := rm["content"].(map[string]any)
	if _, ok := content[mt]; !ok {
		return fmt.Errorf("content type %q is not documented for %d", mt, r.status)
	}
	if !strings.HasSuffix(mt, "json") {
		return nil // e.g. a quote as text/csv: documented as a string
	}
	return d.validateBody(d.contentPointer(path, strings.ToLower(r.method), code, mt, raw.(map[string]any)), r.body)
}

// validateBody checks a JSON body against the schema at a JSON pointer of the document.
func (d *apiDoc) validateBody(schemaPtr string, body []byte) error {
	s, err := d.schemaAt(schemaPtr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	return s.Validate(v)
}

// anyOperationResponses are the responses the document's description allows on any path and
// method, each documented once under components/responses.
var anyOperationResponses = map[int]string{405: "MethodNotAllowed", 411: "LengthRequired", 415: "UnsupportedEncoding", 429: "TooManyRequests"}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIServed(t *testing.T) {
	e := newSupplyEnv(t)
	r := e.do("GET", "/api/v1/openapi.json", "")
	if r.status != 200 || !strings.HasPrefix(r.ctype, "application/json") || !bytes.Equal(r.body, openAPIDocument) {
		t.Fatalf("GET openapi.json: %d %s", r.status, r.ctype)
	}
}
