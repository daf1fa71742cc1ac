package search

import "strings"

// Problem is one thing wrong with a search request: the request parameter it is in (q, sort
// or cursor) and what is wrong. Messages about q start with the 1-based byte column of the
// offending token, e.g. `col 5: unknown operator "=>" after "gpus"; use >=`.
type Problem struct {
	Param   string
	Message string
}

// Error is a rejected query, sort or cursor: a title and one Problem per mistake found (at
// most 10 for q). The marketplace reports it as an invalid request naming each parameter.
type Error struct {
	Title    string
	Problems []Problem
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Param + ": " + p.Message
	}
	return "search: " + e.Title + " (" + strings.Join(parts, "; ") + ")"
}

func invalid(title string, problems ...Problem) *Error {
	return &Error{Title: title, Problems: problems}
}
