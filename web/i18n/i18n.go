// Package i18n is Corridor's language layer: every word the browser app, the API's line
// labels, the quote CSV and the command line show a person comes from the message files under
// locales/ (YAML files read with go-i18n: <tag>.yaml, plus <area>.<tag>.yaml files that
// add the messages of one part of the app, such as whatif.en.yaml), so a translator completes a
// language or adds one without touching Go code. It also formats money and numbers per
// language and builds quote line labels (LineLabel), the one place they are made.
//
// Adding a language: copy every locales/*en.yaml to the same name with the new BCP 47 tag
// (fr, pt-BR…) in place of en, translate every value, and restart; the language switch lists
// it. TestCatalogs fails while a message exists in one language and not in another, or when
// the placeholders of a message differ between languages; a message defined twice in one
// language is an error.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// files holds the message files, named [<area>.]<BCP 47 tag>.yaml.
//
//go:embed locales/*.yaml
var files embed.FS

// DefaultCode is the language shown when nothing says otherwise.
const DefaultCode = "en"

// Locale is one language of the catalogue: its messages, number format and names.
type Locale struct {
	// Code is the short code the language switch and the lang cookie use: the tag's base
	// language ("en", "zh").
	Code string
	// Tag is the BCP 47 tag of the message file ("en", "zh-CN"), for <html lang>.
	Tag language.Tag

	loc      *goi18n.Localizer
	texts    map[string]string // every message as written
	plain    map[string]string // messages without template actions, resolved once
	simple   map[string][]part // messages whose actions are all {{.Name}}, split at them (render)
	group    string            // thousands separator
	decimal  string            // decimal mark
	sortName string
}

// catalogue is every language, the default first, the others by code.
var catalogue = mustLoad()

// placeholder finds the template actions of a message, e.g. {{.Amount}}.
var placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

// mustLoad reads the embedded message files; a broken file is a bug the tests catch, so it
// panics rather than serving pages with missing words.
func mustLoad() []*Locale {
	ls, err := load(files)
	if err != nil {
		panic(err)
	}
	return ls
}

// load reads every locales/*.yaml of fsys into locales.
func load(fsys fs.FS) ([]*Locale, error) {
	names, err := fs.Glob(fsys, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	bundle := goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	var out []*Locale
	byTag := map[string]*Locale{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := bundle.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		l, ok := byTag[mf.Tag.String()]
		if !ok {
			l = &Locale{Tag: mf.Tag, texts: map[string]string{}, plain: map[string]string{}, simple: map[string][]part{}, sortName: mf.Tag.String()}
			base, _ := mf.Tag.Base()
			l.Code = base.String()
			l.loc = goi18n.NewLocalizer(bundle, mf.Tag.String())
			byTag[mf.Tag.String()] = l
			out = append(out, l)
		}
		for _, m := range mf.Messages {
			if _, dup := l.texts[m.ID]; dup {
				return nil, fmt.Errorf("i18n: %s: message %q is defined twice for %s", name, m.ID, mf.Tag)
			}
			l.texts[m.ID] = m.Other
			if !strings.Contains(m.Other, "{{") {
				l.plain[m.ID] = m.Other
			} else if parts, ok := split(m.Other); ok {
				l.simple[m.ID] = parts
			}
		}
	}
	for _, l := range out {
		l.group, l.decimal = l.plain["number.group"], l.plain["number.decimal"]
		if l.decimal == "" {
			return nil, fmt.Errorf("i18n: %s: number.decimal is required", l.Tag)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Code == DefaultCode) != (out[j].Code == DefaultCode) {
			return out[i].Code == DefaultCode
		}
		return out[i].sortName < out[j].sortName
	})
	seen := map[string]bool{}
	for _, l := range out {
		if seen[l.Code] {
			return nil, fmt.Errorf("i18n: two message files for the language %q", l.Code)
		}
		seen[l.Code] = true
	}
	if len(out) == 0 || out[0].Code != DefaultCode {
		return nil, fmt.Errorf("i18n: no message file for the default language %q", DefaultCode)
	}
	return out, nil
}

// All returns every language, the default first.
func All() []*Locale { return catalogue }

// Default returns the default language (English).
func Default() *Locale { return catalogue[0] }

// Lookup returns the language with the short code ("en", "zh").
func Lookup(code string) (*Locale, bool) {
	for _, l := range catalogue {
		if l.Code == code {
			return l, true
		}
	}
	return nil, false
}

// Pick chooses the language of a request: the remembered choice (the lang cookie), else the
// first language of Accept-Language (by preference) that the catalogue has, else the default.
func Pick(cookie, acceptLanguage string) *Locale {
	if l, ok := Lookup(cookie); ok {
		return l
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err == nil {
		for _, t := range tags {
			base, _ := t.Base()
			if l, ok := Lookup(base.String()); ok {
				return l
			}
		}
	}
	return Default()
}

// Has reports whether the language has the message id.
func (l *Locale) Has(id string) bool {
	_, ok := l.texts[id]
	return ok
}

// IDs returns the message ids of the language, sorted.
func (l *Locale) IDs() []string {
	out := make([]string, 0, len(l.texts))
	for id := range l.texts {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// T returns the message id in the language, with its placeholders filled from kv (pairs of
// name and value: T("offer.title", "ID", id)). A missing message shows as ⟦id⟧, which the
// page tests reject.
func (l *Locale) T(id string, kv ...any) string {
	if len(kv) == 0 {
		if s, ok := l.plain[id]; ok {
			return s
		}
	}
	if !l.Has(id) {
		return "⟦" + id + "⟧"
	}
	if s, ok := l.render(id, kv); ok {
		return s
	}
	return l.localize(id, kv)
}

// localize fills message id through go-i18n (text/template).
func (l *Locale) localize(id string, kv []any) string {
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			data[k] = kv[i+1]
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return "⟦" + id + ": " + err.Error() + "⟧"
	}
	return s
}

// TOr returns the message id if the language has it, else fallback: for words that come
// with data (a flag's message, a measure's label) and may be translated in the catalogue.
func (l *Locale) TOr(id, fallback string, kv ...any) string {
	if !l.Has(id) {
		return fallback
	}
	return l.T(id, kv...)
}

// Name is the language's own name, for the language switch ("English", "中文").
func (l *Locale) Name() string { return l.T("lang.name") }

// Placeholders returns the template actions of a message, sorted, for the catalogue test.
func (l *Locale) Placeholders(id string) []string {
	ps := placeholder.FindAllString(l.texts[id], -1)
	sort.Strings(ps)
	return ps
}
