package tariff

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a policy or scenario document, located by file, line and
// column (1-based; 0 when unknown), with the id of the measure it concerns (if any), what is
// wrong and what to do about it.
type Problem struct {
	File      string
	Line, Col int
	MeasureID string
	Message   string
	Hint      string
}

// String formats the problem as "file:line:col: [measure id] message (hint)".
func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", p.File, p.Line, p.Col)
	if p.MeasureID != "" {
		fmt.Fprintf(&b, "[%s] ", p.MeasureID)
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		fmt.Fprintf(&b, " (%s)", p.Hint)
	}
	return b.String()
}

// Problems is every problem found in one or more documents. It implements error; a nil or empty
// Problems is never returned as an error by this package.
type Problems []Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by file, line and column so reports are stable.
func sortProblems(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Col < ps[j].Col
	})
}

var yamlLineRE = regexp.MustCompile(`line (\d+)(?::(\d+))?`)

// syntaxProblem turns a yaml.v3 syntax error into a Problem, extracting the line (and column
// when the message has one) from its text.
func syntaxProblem(file string, err error) Problem {
	msg := err.Error()
	p := Problem{File: file, Line: 1, Col: 1, Message: "syntax error: " + strings.TrimPrefix(msg, "yaml: "),
		Hint: "fix the YAML/JSON syntax; nothing else was checked"}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			p.Col, _ = strconv.Atoi(m[2])
		}
	}
	return p
}

// closest returns the candidate nearest to s by edit distance, if it is close enough to be a
// plausible typo; used for "did you mean" hints.
func closest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := EditDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// EditDistance returns the Levenshtein distance between a and b (byte-wise), or 99 when either
// is longer than 64 bytes; "did you mean" hints here and in the offer search language use it.
func EditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
