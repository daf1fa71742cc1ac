package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"corridor/docs"
	"corridor/marketplace"
)

// The language references as pages of the app: the repository's own Markdown (package docs)
// rendered once with goldmark. Goldmark leaves raw HTML in Markdown out unless told otherwise,
// and is not told so: the pages carry only the markup Markdown itself produces.

// docPages are the references served under /docs/{name}, with their title's message.
var docPages = map[string]string{
	"search-language": "docs.search_language",
	"policy-language": "docs.policy_language",
	"price-index":     "index.methodology",
}

// renderedDocs holds each reference's HTML, rendered on first use.
var renderedDocs struct {
	once sync.Once
	html map[string]template.HTML
	err  error
}

// docHTML returns a reference rendered to HTML.
func docHTML(name string) (template.HTML, error) {
	renderedDocs.once.Do(func() {
		renderedDocs.html = map[string]template.HTML{}
		for n := range docPages {
			src, err := fs.ReadFile(docs.FS, n+".md")
			if err != nil {
				renderedDocs.err = err
				return
			}
			h, err := renderMarkdown(src)
			if err != nil {
				renderedDocs.err = fmt.Errorf("web: render %s.md: %w", n, err)
				return
			}
			renderedDocs.html[n] = template.HTML(linkDocs(h)) //nolint:gosec // goldmark output without raw HTML, from the repository's Markdown
		}
	})
	return renderedDocs.html[name], renderedDocs.err
}

// renderMarkdown turns GitHub-flavoured Markdown into HTML, headings with ids for links.
// Raw HTML in the source is left out (goldmark's default, kept on purpose).
func renderMarkdown(src []byte) (string, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithParserOptions(parser.WithAutoHeadingID()))
	var buf bytes.Buffer
	if err := md.Convert(src, &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// linkDocs points the references' links to each other at the pages, and lets wide tables
// scroll inside their own box rather than widen the page.
func linkDocs(h string) string {
	return strings.NewReplacer(
		`href="policy.schema.json"`, `href="/docs/policy.schema.json"`,
		`href="search-language.md"`, `href="/docs/search-language"`,
		`href="policy-language.md"`, `href="/docs/policy-language"`,
		`href="price-index.md"`, `href="/docs/price-index"`,
		"<table>", `<div class="table-scroll"><table>`,
		"</table>", "</table></div>",
	).Replace(h)
}

// docPage is the data of a reference page.
type docPage struct {
	*view
	Body template.HTML
}

// handleDoc serves a language reference.
func (u *ui) handleDoc(c *fiber.Ctx, v *view) error {
	name := c.Params("name")
	title, ok := docPages[name]
	if !ok {
		return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no reference " + quoteShort(name)}
	}
	body, err := docHTML(name)
	if err != nil {
		return err
	}
	v.Title = v.T(title)
	return u.render(c, fiber.StatusOK, "doc", docPage{view: v, Body: body})
}

// handlePolicySchema serves the policy documents' JSON Schema the policy reference links to.
func handlePolicySchema(c *fiber.Ctx) error {
	b, err := fs.ReadFile(docs.FS, "policy.schema.json")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/schema+json")
	return c.Send(b)
}
