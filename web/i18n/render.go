package i18n

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Every placeholder of the catalogue is a plain {{.Name}}, and filling one through go-i18n
// (a text/template execution with a map built for it) cost ~8 µs: a quote's line labels alone
// took a twentieth of answering it. So messages whose actions are all {{.Name}} are split at
// load, and T fills them by concatenation when every value is one it prints exactly as
// text/template does (a string, an integer, a fmt.Stringer); anything else still goes through
// go-i18n. TestRenderMatchesGoI18n holds the two to the same output for every message.

// part is a run of literal text followed by the value named key ("" after the last run).
type part struct{ text, key string }

// simpleAction is a placeholder render fills: {{.Name}}, no pipeline, no spaces.
var simpleAction = regexp.MustCompile(`^\{\{\.([A-Za-z_][A-Za-z0-9_]*)\}\}$`)

// split cuts message at its placeholders; ok is false when one is not simple.
func split(message string) (parts []part, ok bool) {
	rest := message
	for {
		loc := placeholder.FindStringIndex(rest)
		if loc == nil {
			return append(parts, part{text: rest}), true
		}
		m := simpleAction.FindStringSubmatch(rest[loc[0]:loc[1]])
		if m == nil {
			return nil, false
		}
		parts = append(parts, part{text: rest[:loc[0]], key: m[1]})
		rest = rest[loc[1]:]
	}
}

// render fills the simple message id from kv; ok is false when the message is not simple or
// a value is missing or of a kind only text/template prints.
func (l *Locale) render(id string, kv []any) (string, bool) {
	parts, ok := l.simple[id]
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.text)
		if p.key == "" {
			continue
		}
		v, found := value(kv, p.key)
		if !found {
			return "", false
		}
		switch x := v.(type) {
		case string:
			b.WriteString(x)
		case int:
			b.WriteString(strconv.Itoa(x))
		case int64:
			b.WriteString(strconv.FormatInt(x, 10))
		case fmt.Stringer:
			if r := reflect.ValueOf(x); r.Kind() == reflect.Pointer && r.IsNil() {
				return "", false // text/template's business
			}
			b.WriteString(x.String())
		default:
			return "", false
		}
	}
	return b.String(), true
}

// value is the last value kv gives key, as the map T builds for go-i18n holds it.
func value(kv []any, key string) (v any, found bool) {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok && k == key {
			v, found = kv[i+1], true
		}
	}
	return v, found
}
