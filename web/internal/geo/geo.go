// Package geo draws the market's maps: two equal-area panels, China in an Albers conic
// projection and Europe in the Lambert azimuthal projection, with country outlines from
// Natural Earth (public domain) converted at development time by mapgen into outlines.json.
// Coordinates here are display geometry in SVG units (float64), never money.
//
// Regenerating the outlines (only when the panels or the atlas change):
//
//	cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//	WORLD_ATLAS="$PWD/package" go generate ./web/internal/geo   # from the repository root
//
//go:generate sh -c "go run ./mapgen -atlas \"$WORLD_ATLAS/countries-50m.json\" -out outlines.json"
package geo

import (
	_ "embed"
	"encoding/json"
	"math"
)

// Projection maps a longitude and latitude in degrees onto the plane (unit sphere, y north).
type Projection interface {
	Project(lon, lat float64) (x, y float64, ok bool)
}

// Albers is the Albers equal-area conic projection on the sphere, with standard parallels
// Lat1 and Lat2, origin latitude Lat0 and central meridian Lon0.
type Albers struct{ Lon0, Lat0, Lat1, Lat2 float64 }

// Project implements Projection.
func (a Albers) Project(lon, lat float64) (float64, float64, bool) {
	p1, p2, p0, p := rad(a.Lat1), rad(a.Lat2), rad(a.Lat0), rad(lat)
	n := (math.Sin(p1) + math.Sin(p2)) / 2
	c := math.Cos(p1)*math.Cos(p1) + 2*n*math.Sin(p1)
	rho0 := math.Sqrt(c-2*n*math.Sin(p0)) / n
	rho := math.Sqrt(c-2*n*math.Sin(p)) / n
	theta := n * rad(wrap(lon-a.Lon0))
	return rho * math.Sin(theta), rho0 - rho*math.Cos(theta), true
}

// LAEA is the Lambert azimuthal equal-area projection on the sphere, centred on Lon0, Lat0
// (Europe's statistical grid, ETRS89-LAEA, is centred on 10° E, 52° N).
type LAEA struct{ Lon0, Lat0 float64 }

// Project implements Projection; the antipode of the centre has no image.
func (l LAEA) Project(lon, lat float64) (float64, float64, bool) {
	p0, p, dl := rad(l.Lat0), rad(lat), rad(wrap(lon-l.Lon0))
	d := 1 + math.Sin(p0)*math.Sin(p) + math.Cos(p0)*math.Cos(p)*math.Cos(dl)
	if d < 1e-9 {
		return 0, 0, false
	}
	k := math.Sqrt(2 / d)
	return k * math.Cos(p) * math.Sin(dl), k * (math.Cos(p0)*math.Sin(p) - math.Sin(p0)*math.Cos(p)*math.Cos(dl)), true
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// wrap brings a longitude difference into [-180, 180).
func wrap(d float64) float64 { return math.Mod(math.Mod(d+180, 360)+360, 360) - 180 }

// Panel is one map: a projection, the geographic window it shows and its size in SVG units.
type Panel struct {
	ID                       string // "cn" or "eu"
	Proj                     Projection
	West, East, South, North float64 // the window, in degrees
	Width, Height            float64 // SVG units; Height follows from the window's shape
	minX, maxY, scale        float64
}

// Panels are the two maps: China with its neighbours, and Europe from Iceland to Cyprus.
var Panels = []*Panel{
	newPanel("cn", Albers{Lon0: 105, Lat0: 0, Lat1: 25, Lat2: 47}, 72, 136, 17, 54, 600),
	newPanel("eu", LAEA{Lon0: 10, Lat0: 52}, -25, 36, 33, 70, 600),
}

// PanelByID returns the panel with the id, or nil.
func PanelByID(id string) *Panel {
	for _, p := range Panels {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// newPanel fits the window's projected outline (its edges sampled every quarter degree) into
// width SVG units.
func newPanel(id string, proj Projection, west, east, south, north, width float64) *Panel {
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	add := func(lon, lat float64) {
		x, y, _ := proj.Project(lon, lat)
		minX, maxX, minY, maxY = math.Min(minX, x), math.Max(maxX, x), math.Min(minY, y), math.Max(maxY, y)
	}
	for t := 0.0; t <= 1; t += 1.0 / 256 {
		add(west+t*(east-west), south)
		add(west+t*(east-west), north)
		add(west, south+t*(north-south))
		add(east, south+t*(north-south))
	}
	scale := width / (maxX - minX)
	return &Panel{ID: id, Proj: proj, West: west, East: east, South: south, North: north, Width: width,
		Height: math.Round((maxY-minY)*scale*10) / 10, minX: minX, maxY: maxY, scale: scale}
}

// XY places a longitude and latitude on the panel, in SVG units (y down); ok is false when
// the point has no image.
func (p *Panel) XY(lon, lat float64) (x, y float64, ok bool) {
	px, py, ok := p.Proj.Project(lon, lat)
	if !ok {
		return 0, 0, false
	}
	return (px - p.minX) * p.scale, (p.maxY - py) * p.scale, true
}

// Inside reports whether an SVG point lies on the panel.
func (p *Panel) Inside(x, y float64) bool { return x >= 0 && x <= p.Width && y >= 0 && y <= p.Height }

// Country is one country's outline on a panel: its ISO 3166-1 alpha-2 code ("" when Natural
// Earth's feature has none) and its SVG path.
type Country struct {
	Code string `json:"cc"`
	Name string `json:"name"`
	Path string `json:"d"`
}

// Atlas is the generated outlines file.
type Atlas struct {
	Source  string               `json:"source"`  // what the outlines were made from, with its licence
	Version string               `json:"version"` // world-atlas package version
	Panels  map[string][]Country `json:"panels"`  // by panel id
}

//go:embed outlines.json
var outlinesJSON []byte

var atlas = mustAtlas()

func mustAtlas() Atlas {
	var a Atlas
	if err := json.Unmarshal(outlinesJSON, &a); err != nil {
		panic("geo: outlines.json: " + err.Error())
	}
	return a
}

// Outlines returns the country outlines of a panel.
func Outlines(panelID string) []Country { return atlas.Panels[panelID] }

// AtlasVersion is the world-atlas version the outlines come from.
func AtlasVersion() string { return atlas.Version }
