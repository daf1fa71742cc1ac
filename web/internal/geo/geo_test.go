package geo

import (
	"math"
	"strings"
	"testing"
)

// cellArea is the projected area of a small cell of d degrees at lon, lat (shoelace).
func cellArea(p Projection, lon, lat, d float64) float64 {
	pts := [][2]float64{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}}
	a := 0.0
	for i := range pts {
		x1, y1, _ := p.Project(pts[i][0], pts[i][1])
		x2, y2, _ := p.Project(pts[(i+1)%4][0], pts[(i+1)%4][1])
		a += x1*y2 - x2*y1
	}
	return math.Abs(a) / 2
}

// TestProjectionsAreEqualArea: a cell of the sphere has the same projected area wherever it
// lies, up to its true size: on the unit sphere a cell of d° × d° at latitude φ covers about
// d² (π/180)² cos φ, and an equal-area projection keeps that, far from the centre too.
func TestProjectionsAreEqualArea(t *testing.T) {
	const d = 0.01
	for _, p := range []Projection{Albers{Lon0: 105, Lat1: 25, Lat2: 47}, LAEA{Lon0: 10, Lat0: 52}} {
		for _, ll := range [][2]float64{{105, 35}, {75, 20}, {130, 50}, {10, 52}, {-22, 64}, {33, 35}} {
			want := d * d * math.Pow(math.Pi/180, 2) * math.Cos((ll[1]+d/2)*math.Pi/180)
			if got := cellArea(p, ll[0], ll[1], d); math.Abs(got/want-1) > 1e-3 {
				t.Errorf("%T at %v: area %.6g, sphere %.6g", p, ll, got, want)
			}
		}
	}
	if x, y, _ := (LAEA{Lon0: 10, Lat0: 52}).Project(10, 52); math.Abs(x)+math.Abs(y) > 1e-12 {
		t.Errorf("the LAEA centre maps to (%v, %v), want the origin", x, y)
	}
	if _, _, ok := (LAEA{Lon0: 10, Lat0: 52}).Project(-170, -52); ok {
		t.Error("the antipode has no image")
	}
}

// TestPanelsPlaceTheirSites: a site lands inside its panel, north up, west left.
func TestPanelsPlaceTheirSites(t *testing.T) {
	cn, eu := PanelByID("cn"), PanelByID("eu")
	for _, c := range []struct {
		p        *Panel
		lon, lat float64
	}{{cn, 105.19, 37.51}, {cn, 121.47, 31.23}, {eu, -21.94, 64.15}, {eu, 33.36, 35.17}, {eu, 27.73, 64.23}} {
		x, y, ok := c.p.XY(c.lon, c.lat)
		if !ok || !c.p.Inside(x, y) {
			t.Errorf("%s: %v,%v at (%.1f, %.1f), outside %v × %v", c.p.ID, c.lon, c.lat, x, y, c.p.Width, c.p.Height)
		}
	}
	xw, _, _ := eu.XY(-21.94, 64.15) // Reykjavík
	xe, _, _ := eu.XY(33.36, 35.17)  // Nicosia
	_, yn, _ := eu.XY(27.73, 64.23)  // Kajaani
	_, ys, _ := eu.XY(14.51, 35.90)  // Valletta
	if xw >= xe || yn >= ys {
		t.Errorf("Europe is mirrored: west %v east %v north %v south %v", xw, xe, yn, ys)
	}
}

// TestOutlinesAreEmbedded: the generated file holds both panels, China among the Chinese
// panel's countries and the EU's members among Europe's, with their source named.
func TestOutlinesAreEmbedded(t *testing.T) {
	codes := map[string]map[string]bool{"cn": {}, "eu": {}}
	for id := range codes {
		for _, c := range Outlines(id) {
			codes[id][c.Code] = true
			if !strings.HasPrefix(c.Path, "M") || !strings.HasSuffix(c.Path, "z") {
				t.Fatalf("%s %s: path %.40q", id, c.Name, c.Path)
			}
		}
	}
	for _, want := range []string{"CN", "MN", "JP"} {
		if !codes["cn"][want] {
			t.Errorf("China panel lacks %s", want)
		}
	}
	for _, want := range []string{"DE", "FI", "CY", "IS", "GB", "PT"} {
		if !codes["eu"][want] {
			t.Errorf("Europe panel lacks %s", want)
		}
	}
	if !strings.Contains(atlas.Source, "public domain") || AtlasVersion() == "" || AtlasVersion() == "unknown" {
		t.Errorf("source %q, version %q", atlas.Source, AtlasVersion())
	}
}
