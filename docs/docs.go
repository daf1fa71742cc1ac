// Package docs holds the reference documents the app serves as pages: the search language
// and the policy language references are embedded from this folder, so the pages show
// exactly the Markdown the repository holds.
package docs

import "embed"

// FS holds the references the app serves (web renders the Markdown at start-up).
//
//go:embed search-language.md policy-language.md policy.schema.json price-index.md
var FS embed.FS
