package web

import (
	"math"
	"net/url"
	"strconv"

	"corridor/marketplace"
)

// The market page's overview map: two equirectangular panels (China, Europe) with one linked
// circle per region. Coordinates are display geometry (float64), never money.

// mapBox is a panel's extent in degrees and its standard parallel for the x scale.
type mapBox struct {
	Bloc                           marketplace.Bloc
	TitleKey                       string
	MinLon, MaxLon, MinLat, MaxLat float64
}

var mapBoxes = []mapBox{
	{marketplace.BlocCN, "market.map_cn", 73, 135, 18, 54},
	{marketplace.BlocEU, "market.map_eu", -11, 32, 35, 70},
}

// mapPxPerDeg is the panels' vertical scale; the horizontal one is shrunk by cos(mid latitude).
const mapPxPerDeg = 5.0

// mapView is the data of the map: one SVG per panel.
type mapView struct {
	Panels []mapPanel
}

type mapPanel struct {
	Title     string
	W, H      float64
	Graticule []mapLine // every 10° of latitude and longitude
	Dots      []mapDot
}

type mapLine struct{ X1, Y1, X2, Y2 float64 }

type mapDot struct {
	CX, CY, R float64
	Class     string
	Href      string
	Title     string
}

func buildMap(v *view, regions []marketplace.Region, perRegion map[string]int, form marketForm) mapView {
	var m mapView
	for _, box := range mapBoxes {
		kx := mapPxPerDeg * math.Cos((box.MinLat+box.MaxLat)/2*math.Pi/180)
		p := mapPanel{Title: v.T(box.TitleKey), W: round1((box.MaxLon - box.MinLon) * kx), H: round1((box.MaxLat - box.MinLat) * mapPxPerDeg)}
		for lon := math.Ceil(box.MinLon/10) * 10; lon <= box.MaxLon; lon += 10 {
			x := round1((lon - box.MinLon) * kx)
			p.Graticule = append(p.Graticule, mapLine{X1: x, Y1: 0, X2: x, Y2: p.H})
		}
		for lat := math.Ceil(box.MinLat/10) * 10; lat <= box.MaxLat; lat += 10 {
			y := round1((box.MaxLat - lat) * mapPxPerDeg)
			p.Graticule = append(p.Graticule, mapLine{X1: 0, Y1: y, X2: p.W, Y2: y})
		}
		for _, r := range regions {
			if r.Bloc != box.Bloc {
				continue
			}
			lat, err1 := strconv.ParseFloat(r.Lat, 64)
			lon, err2 := strconv.ParseFloat(r.Lon, 64)
			if err1 != nil || err2 != nil || lon < box.MinLon || lon > box.MaxLon || lat < box.MinLat || lat > box.MaxLat {
				continue
			}
			n := perRegion[r.Code]
			d := mapDot{CX: round1((lon - box.MinLon) * kx), CY: round1((box.MaxLat - lat) * mapPxPerDeg), R: 3, Class: "dot kind-" + string(r.Kind)}
			if n > 0 {
				d.R = math.Min(3+float64(n), 8)
				d.Class += " has-offers"
			}
			if form.Values["region"] == r.Code {
				d.Class += " selected"
			}
			q := url.Values{"region": {r.Code}}
			if cur := form.Values["currency"]; cur != "" {
				q.Set("currency", cur)
			}
			d.Href = "/?" + q.Encode()
			d.Title = r.Name + " · " + r.NameZH + " — " + v.T("kind."+string(r.Kind)) + " — " + strconv.Itoa(n) + " " + v.T("col.action")
			p.Dots = append(p.Dots, d)
		}
		m.Panels = append(m.Panels, p)
	}
	return m
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
