// Command mapgen converts Natural Earth country outlines (the TopoJSON of the npm package
// world-atlas, e.g. countries-50m.json) into the simplified, projected SVG paths of the
// market's map panels (geo.Panels), written as outlines.json. It runs at development time
// (go generate ./web/internal/geo); the app embeds its output and never reads the atlas.
//
// For each panel it decodes the shared arcs, projects them, simplifies each arc once with
// Douglas–Peucker (so neighbouring countries keep one common border), assembles the rings,
// clips them to the panel (with a margin, so clipped edges fall outside the view), drops
// islands smaller than a few square units and writes the paths with one decimal.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"corridor/web/internal/geo"
)

// Simplification and clipping, in SVG units of a 600-unit-wide panel.
const (
	tolerance = 0.6 // Douglas–Peucker distance
	minArea   = 3.0 // smaller rings (islets) are dropped
	margin    = 6.0 // clip this far outside the panel
)

// topology is the part of a TopoJSON file mapgen reads.
type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects map[string]struct {
		Geometries []geometry `json:"geometries"`
	} `json:"objects"`
}

type geometry struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Arcs       json.RawMessage `json:"arcs"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}

type point struct{ X, Y float64 }

func main() {
	in := flag.String("atlas", "", "world-atlas countries-50m.json")
	out := flag.String("out", "outlines.json", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mapgen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("%w (npm pack world-atlas@2.0.2 and point -atlas at its countries-50m.json)", err)
	}
	var topo topology
	if err := json.Unmarshal(data, &topo); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	version := atlasVersion(filepath.Dir(in))
	lonlat := decodeArcs(topo)
	a := geo.Atlas{
		Source: "Natural Earth 1:50m Admin 0 countries (public domain, https://www.naturalearthdata.com/), " +
			"as TopoJSON in the npm package world-atlas " + version + " (https://github.com/topojson/world-atlas)",
		Version: version,
		Panels:  map[string][]geo.Country{},
	}
	for _, p := range geo.Panels {
		arcs := projectArcs(p, lonlat)
		for _, g := range topo.Objects["countries"].Geometries {
			d, err := countryPath(p, g, arcs)
			if err != nil {
				return fmt.Errorf("%s: %w", g.Properties.Name, err)
			}
			if d != "" {
				a.Panels[p.ID] = append(a.Panels[p.ID], geo.Country{Code: alpha2(g.ID), Name: g.Properties.Name, Path: d})
			}
		}
		sort.Slice(a.Panels[p.ID], func(i, j int) bool { return a.Panels[p.ID][i].Name < a.Panels[p.ID][j].Name })
	}
	b, err := json.MarshalIndent(a, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// atlasVersion reads the version of the world-atlas package the file came from.
func atlasVersion(dir string) string {
	var pkg struct {
		Version string `json:"version"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil && json.Unmarshal(b, &pkg) == nil && pkg.Version != "" {
		return pkg.Version
	}
	return "unknown"
}

// alpha2 turns Natural Earth's ISO 3166-1 numeric id into the alpha-2 code ("" if none).
func alpha2(numeric string) string {
	if _, err := strconv.Atoi(numeric); err != nil || len(numeric) != 3 {
		return ""
	}
	r, err := language.ParseRegion(numeric)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return r.String()
}

// decodeArcs undoes TopoJSON's quantisation and delta encoding: degrees per arc.
func decodeArcs(t topology) [][]point {
	out := make([][]point, len(t.Arcs))
	for i, arc := range t.Arcs {
		var x, y float64
		pts := make([]point, len(arc))
		for j, d := range arc {
			x, y = x+d[0], y+d[1]
			pts[j] = point{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
		}
		out[i] = pts
	}
	return out
}

// projectArcs projects every arc onto the panel and simplifies it; arcs with a point that has
// no image are left empty (they lie on the far side of the globe).
func projectArcs(p *geo.Panel, lonlat [][]point) [][]point {
	out := make([][]point, len(lonlat))
	for i, arc := range lonlat {
		pts := make([]point, 0, len(arc))
		for _, ll := range arc {
			x, y, ok := p.XY(ll.X, ll.Y)
			if !ok {
				pts = nil
				break
			}
			pts = append(pts, point{x, y})
		}
		out[i] = simplify(pts, tolerance)
	}
	return out
}

// countryPath assembles, clips and writes a country's rings; "" when nothing is on the panel.
func countryPath(p *geo.Panel, g geometry, arcs [][]point) (string, error) {
	var polys [][][]int
	switch g.Type {
	case "Polygon":
		var rings [][]int
		if err := json.Unmarshal(g.Arcs, &rings); err != nil {
			return "", err
		}
		polys = [][][]int{rings}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Arcs, &polys); err != nil {
			return "", err
		}
	default:
		return "", nil
	}
	var b strings.Builder
	for _, rings := range polys {
		for _, ring := range rings {
			pts := assemble(ring, arcs)
			if len(pts) < 3 {
				continue
			}
			pts = clip(pts, -margin, -margin, p.Width+margin, p.Height+margin)
			if len(pts) < 3 || math.Abs(area(pts)) < minArea {
				continue
			}
			// The first point absolute, the others relative to the one before ("l dx dy …"),
			// on coordinates rounded to a tenth so the steps add up without drift.
			// A minus sign separates numbers as well as a space does.
			var px, py float64
			sep := func(n string) string {
				if strings.HasPrefix(n, "-") {
					return n
				}
				return " " + n
			}
			for i, q := range pts {
				x, y := tenth(q.X), tenth(q.Y)
				switch i {
				case 0:
					b.WriteString("M" + num(x) + sep(num(y)) + "l")
				case 1:
					b.WriteString(num(x-px) + sep(num(y-py)))
				default:
					b.WriteString(sep(num(x-px)) + sep(num(y-py)))
				}
				px, py = x, y
			}
			b.WriteByte('z')
		}
	}
	return b.String(), nil
}

// assemble joins a ring's arcs (a negative index ~i is arc i reversed), dropping each arc's
// first point after the first arc (it repeats the previous arc's last).
func assemble(ring []int, arcs [][]point) []point {
	var out []point
	for k, i := range ring {
		var a []point
		if i >= 0 {
			a = arcs[i]
		} else {
			src := arcs[^i]
			a = make([]point, len(src))
			for j := range src {
				a[j] = src[len(src)-1-j]
			}
		}
		if len(a) == 0 {
			return nil // part of the ring has no image: leave the ring out
		}
		if k > 0 {
			a = a[1:]
		}
		out = append(out, a...)
	}
	return out
}

// simplify is Douglas–Peucker: it keeps the first and last points and every point farther
// than tol from the chord of the points it keeps around it.
func simplify(pts []point, tol float64) []point {
	if len(pts) <= 2 {
		return pts
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		best, at := 0.0, -1
		for k := i + 1; k < j; k++ {
			if d := segDist(pts[k], pts[i], pts[j]); d > best {
				best, at = d, k
			}
		}
		if at >= 0 && best > tol {
			keep[at] = true
			rec(i, at)
			rec(at, j)
		}
	}
	rec(0, len(pts)-1)
	out := make([]point, 0, len(pts)/4+2)
	for i, q := range pts {
		if keep[i] {
			out = append(out, q)
		}
	}
	return out
}

// segDist is the distance from q to the segment a–b.
func segDist(q, a, b point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := dx*dx + dy*dy
	if l == 0 {
		return math.Hypot(q.X-a.X, q.Y-a.Y)
	}
	t := math.Max(0, math.Min(1, ((q.X-a.X)*dx+(q.Y-a.Y)*dy)/l))
	return math.Hypot(q.X-a.X-t*dx, q.Y-a.Y-t*dy)
}

// clip is Sutherland–Hodgman against the rectangle [x0, x1] × [y0, y1].
func clip(pts []point, x0, y0, x1, y1 float64) []point {
	edges := []struct {
		in    func(point) bool
		cross func(a, b point) point
	}{
		{func(q point) bool { return q.X >= x0 }, func(a, b point) point { return atX(a, b, x0) }},
		{func(q point) bool { return q.X <= x1 }, func(a, b point) point { return atX(a, b, x1) }},
		{func(q point) bool { return q.Y >= y0 }, func(a, b point) point { return atY(a, b, y0) }},
		{func(q point) bool { return q.Y <= y1 }, func(a, b point) point { return atY(a, b, y1) }},
	}
	for _, e := range edges {
		if len(pts) == 0 {
			return nil
		}
		var out []point
		prev := pts[len(pts)-1]
		for _, cur := range pts {
			switch {
			case e.in(cur) && !e.in(prev):
				out = append(out, e.cross(prev, cur), cur)
			case e.in(cur):
				out = append(out, cur)
			case e.in(prev):
				out = append(out, e.cross(prev, cur))
			}
			prev = cur
		}
		pts = out
	}
	return pts
}

func atX(a, b point, x float64) point { return point{x, a.Y + (b.Y-a.Y)*(x-a.X)/(b.X-a.X)} }
func atY(a, b point, y float64) point { return point{a.X + (b.X-a.X)*(y-a.Y)/(b.Y-a.Y), y} }

// area is the signed area of a ring (shoelace).
func area(pts []point) float64 {
	s := 0.0
	for i := range pts {
		a, b := pts[i], pts[(i+1)%len(pts)]
		s += a.X*b.Y - b.X*a.Y
	}
	return s / 2
}

// tenth rounds a coordinate to a tenth of an SVG unit.
func tenth(f float64) float64 { return math.Round(f*10) / 10 }

// num writes a number with at most one decimal and no trailing ".0" ("-0.5" as "-.5").
func num(f float64) string {
	s := strconv.FormatFloat(tenth(f), 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	if strings.HasPrefix(s, "0.") {
		return s[1:]
	}
	if strings.HasPrefix(s, "-0.") {
		return "-" + s[2:]
	}
	return s
}
