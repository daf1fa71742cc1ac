package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/web/internal/geo"
)

// The map of sites: China and Europe on equal-area panels (web/internal/geo) with Natural Earth
// country outlines, one linked marker per site or per group of sites too close to tell apart
// (with their count), labels for the hubs and AI Factories where they fit, and a table of every
// site for keyboards, screen readers and small screens. Numbers here are SVG geometry.

// Marker geometry, in SVG units of a 600-unit-wide panel.
const (
	mapGroupDist   = 13.0 // sites closer than this to a group's anchor join the group
	mapSiteR       = 5.0
	mapSiteOffersR = 6.5
	mapGroupR      = 9.5
	mapLabelFont   = 11.0
)

// mapPanelOf names the panel each bloc is drawn on and the title of the panel.
var mapPanelOf = map[marketplace.Bloc]string{marketplace.BlocCN: "cn", marketplace.BlocEU: "eu", marketplace.BlocNonEU: "eu"}

// mapView is the data of the map component.
type mapView struct {
	Panels      []mapPanel
	Sites       []mapSite
	Attribution string
	Open        bool // the site table starts open (the map page)
}

type mapPanel struct {
	ID, Title string
	W, H      float64
	Countries []mapCountry
	Markers   []mapMarker
	Labels    []mapLabel
}

type mapCountry struct{ Path, Class string }

// mapMarker is a site, or a group of sites with their count.
type mapMarker struct {
	X, Y, R  float64
	Sites    int
	Offers   int
	Class    string
	Href     string
	Label    string // the link's accessible name and tooltip
	Selected bool
}

type mapLabel struct {
	X, Y   float64
	Anchor string
	Text   string
}

// mapSite is one row of the site table.
type mapSite struct {
	Code, Name, Kind, Country, Bloc string
	Offers                          int
	Href                            string
	Selected                        bool
}

// buildMap lays out the sites of regions with their offer counts; links keep the page's
// display currency and mark the selected region.
func buildMap(v *view, regions []marketplace.Region, perRegion map[string]int, currency, selected string) mapView {
	m := mapView{Attribution: v.Tf("map.attribution", "Version", geo.AtlasVersion())}
	hosts := map[string]marketplace.Bloc{} // country → bloc of the sites it hosts
	for _, r := range regions {
		hosts[r.Country] = r.Bloc
	}
	link := func(q url.Values) string {
		if currency != "" {
			q.Set("currency", currency)
		}
		return "/?" + q.Encode()
	}
	for _, gp := range geo.Panels {
		p := mapPanel{ID: gp.ID, Title: v.T("map.panel_" + gp.ID), W: gp.Width, H: gp.Height}
		for _, c := range geo.Outlines(gp.ID) {
			class := "land"
			if b, ok := hosts[c.Code]; ok && c.Code != "" {
				class += " host bloc-" + string(b)
			}
			p.Countries = append(p.Countries, mapCountry{Path: c.Path, Class: class})
		}
		p.Markers, p.Labels = layoutSites(v, gp, regions, perRegion, selected, link)
		m.Panels = append(m.Panels, p)
	}
	for _, r := range regions {
		m.Sites = append(m.Sites, mapSite{Code: r.Code, Name: v.RegionName(r), Kind: v.T("region_kind." + string(r.Kind)), Country: v.Country(r.Country),
			Bloc: string(r.Bloc), Offers: perRegion[r.Code], Href: link(url.Values{"region": {r.Code}}), Selected: r.Code == selected})
	}
	sort.SliceStable(m.Sites, func(i, j int) bool {
		a, b := m.Sites[i], m.Sites[j]
		if a.Bloc != b.Bloc {
			return blocOrder(a.Bloc) < blocOrder(b.Bloc)
		}
		return a.Name < b.Name
	})
	return m
}

func blocOrder(b string) int {
	for i, x := range marketplace.Blocs {
		if string(x) == b {
			return i
		}
	}
	return len(marketplace.Blocs)
}

// mapGroup is a set of sites drawn as one marker, at its anchor (the first, most important site).
type mapGroup struct {
	x, y    float64
	regions []marketplace.Region
	offers  int
}

// layoutSites groups the panel's sites, then places a label beside each hub or AI Factory
// marker where it overlaps neither another label nor a marker.
func layoutSites(v *view, gp *geo.Panel, regions []marketplace.Region, perRegion map[string]int, selected string, link func(url.Values) string) ([]mapMarker, []mapLabel) {
	var sites []marketplace.Region
	for _, r := range regions {
		if mapPanelOf[r.Bloc] == gp.ID {
			sites = append(sites, r)
		}
	}
	// Hubs and AI Factories anchor groups; then the sites with offers; then by code.
	rank := func(r marketplace.Region) int {
		if r.Kind == "hub_node" || r.Kind == "ai_factory" {
			return 0
		}
		return 1
	}
	sort.SliceStable(sites, func(i, j int) bool {
		if rank(sites[i]) != rank(sites[j]) {
			return rank(sites[i]) < rank(sites[j])
		}
		return sites[i].Code < sites[j].Code
	})
	var groups []*mapGroup
	for _, r := range sites {
		lat, err1 := strconv.ParseFloat(r.Lat, 64)
		lon, err2 := strconv.ParseFloat(r.Lon, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		x, y, ok := gp.XY(lon, lat)
		if !ok || !gp.Inside(x, y) {
			continue
		}
		var into *mapGroup
		for _, g := range groups {
			if math.Hypot(g.x-x, g.y-y) < mapGroupDist {
				into = g
				break
			}
		}
		if into == nil {
			into = &mapGroup{x: x, y: y}
			groups = append(groups, into)
		}
		into.regions = append(into.regions, r)
		into.offers += perRegion[r.Code]
	}
	markers := make([]mapMarker, 0, len(groups))
	for _, g := range groups {
		first := g.regions[0]
		mk := mapMarker{X: round1(g.x), Y: round1(g.y), Sites: len(g.regions), Offers: g.offers, Class: "marker kind-" + string(first.Kind)}
		codes, names := make([]string, len(g.regions)), make([]string, len(g.regions))
		for i, r := range g.regions {
			codes[i], names[i] = r.Code, v.RegionName(r)
			mk.Selected = mk.Selected || r.Code == selected
		}
		if len(g.regions) == 1 {
			mk.R, mk.Href = mapSiteR, link(url.Values{"region": {first.Code}})
			mk.Label = v.Tf("map.site", "Name", names[0], "Kind", v.T("region_kind."+string(first.Kind)), "Count", g.offers)
		} else {
			mk.R, mk.Class = mapGroupR, mk.Class+" group"
			mk.Href = link(url.Values{"q": {"region in [" + strings.Join(codes, ",") + "]"}})
			mk.Label = v.Tf("map.cluster", "Count", len(g.regions), "Names", strings.Join(names, v.T("map.list_sep")), "Offers", g.offers)
		}
		if g.offers > 0 {
			mk.Class += " has-offers"
			if mk.R == mapSiteR {
				mk.R = mapSiteOffersR
			}
		}
		if mk.Selected {
			mk.Class += " selected"
		}
		markers = append(markers, mk)
	}
	return markers, placeLabels(v, gp, groups, markers)
}

// box is an axis-aligned rectangle for label placement.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// placeLabels tries right, left, above and below each anchor marker of a hub or AI Factory;
// a label that fits nowhere is left out (the marker's name stays in its link and the table).
func placeLabels(v *view, gp *geo.Panel, groups []*mapGroup, markers []mapMarker) []mapLabel {
	taken := make([]box, 0, len(markers)*2)
	for _, mk := range markers {
		taken = append(taken, box{mk.X - mk.R, mk.Y - mk.R, mk.X + mk.R, mk.Y + mk.R})
	}
	var labels []mapLabel
	for i, g := range groups {
		r := g.regions[0]
		if r.Kind != "hub_node" && r.Kind != "ai_factory" {
			continue
		}
		text := v.L.TOr("map.label."+r.Code, v.RegionName(r))
		w, h := textWidth(text), mapLabelFont
		mk := markers[i]
		type cand struct {
			x, y   float64
			anchor string
			b      box
		}
		cands := []cand{
			{mk.X + mk.R + 3, mk.Y + h/2 - 1.5, "start", box{mk.X + mk.R + 2, mk.Y - h/2, mk.X + mk.R + 4 + w, mk.Y + h/2}},
			{mk.X - mk.R - 3, mk.Y + h/2 - 1.5, "end", box{mk.X - mk.R - 4 - w, mk.Y - h/2, mk.X - mk.R - 2, mk.Y + h/2}},
			{mk.X, mk.Y - mk.R - 3, "middle", box{mk.X - w/2 - 1, mk.Y - mk.R - 3 - h, mk.X + w/2 + 1, mk.Y - mk.R - 2}},
			{mk.X, mk.Y + mk.R + h, "middle", box{mk.X - w/2 - 1, mk.Y + mk.R + 1, mk.X + w/2 + 1, mk.Y + mk.R + h + 2}},
		}
	next:
		for _, c := range cands {
			if c.b.x0 < 0 || c.b.y0 < 0 || c.b.x1 > gp.Width || c.b.y1 > gp.Height {
				continue
			}
			for j, t := range taken {
				if j != i && t.overlaps(c.b) {
					continue next
				}
			}
			taken = append(taken, c.b)
			labels = append(labels, mapLabel{X: round1(c.x), Y: round1(c.y), Anchor: c.anchor, Text: text})
			break
		}
	}
	return labels
}

// textWidth estimates the width of a label in SVG units: CJK characters are square, Latin
// ones a little over half the font size.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x2E80:
			w += mapLabelFont
		case utf8.RuneLen(r) > 1 || r == 'm' || r == 'w' || r == 'M' || r == 'W':
			w += mapLabelFont * 0.8
		default:
			w += mapLabelFont * 0.58
		}
	}
	return w
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// siteCounts reads the regions and how many active offers each has, for the map: one
// aggregate query, whatever the size of the market.
func (u *ui) siteCounts(c *fiber.Ctx) ([]marketplace.Region, map[string]int, error) {
	ctx := c.UserContext()
	regions, err := u.market.Regions(ctx, marketplace.RegionFilter{})
	if err != nil {
		return nil, nil, err
	}
	perRegion, err := u.market.ActiveOffersPerRegion(ctx)
	if err != nil {
		return nil, nil, err
	}
	return regions, perRegion, nil
}

// mapCache keeps the rendered map component (SVG panels, legend, site table) by everything it
// is drawn from: the page's language, the region data it reads, each region's offer count, the
// display currency of its links, the selected region and whether the table starts open. Laying
// out and escaping the map was about half the market page's CPU; the counts come fresh from the
// database on every request, so a changed count is a new entry. Bounded: when full it starts
// again empty.
type mapCache struct {
	mu sync.Mutex
	m  map[string]template.HTML
}

// mapCacheMax bounds the cached maps (each a few tens of KB).
const mapCacheMax = 128

// mapKey is the cache key of a map: every input of buildMap and of the "map" template.
func mapKey(v *view, regions []marketplace.Region, perRegion map[string]int, currency, selected string, open bool) string {
	var b strings.Builder
	b.Grow(64 * (len(regions) + 1))
	fmt.Fprintf(&b, "%s\x00%s\x00%s\x00%t", v.Lang, currency, selected, open)
	for _, r := range regions {
		for _, f := range []string{r.Code, r.Name, r.NameZH, r.Country, string(r.Bloc), string(r.Kind), r.Province, r.Class, r.System,
			r.Parent, r.Selected, r.Lat, r.Lon} {
			b.WriteByte(0)
			b.WriteString(f)
		}
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(perRegion[r.Code]))
	}
	return b.String()
}

// renderedMap is the "map" template of page over buildMap's view, from the cache when drawn
// before. The HTML is the template's own output (escaped in the same HTML text context as
// where the pages place it), so the page is byte for byte what it was when the page ran the
// template itself.
func (u *ui) renderedMap(page string, v *view, regions []marketplace.Region, perRegion map[string]int, currency, selected string, open bool) (template.HTML, error) {
	key := page + "\x00" + mapKey(v, regions, perRegion, currency, selected, open)
	u.maps.mu.Lock()
	h, ok := u.maps.m[key]
	u.maps.mu.Unlock()
	if ok {
		return h, nil
	}
	m := buildMap(v, regions, perRegion, currency, selected)
	m.Open = open
	var buf bytes.Buffer
	if err := u.tmpl[page].ExecuteTemplate(&buf, "map", v.MapArg(m)); err != nil {
		return "", fmt.Errorf("web: render map: %w", err)
	}
	h = template.HTML(buf.String())
	u.maps.mu.Lock()
	if u.maps.m == nil || len(u.maps.m) >= mapCacheMax {
		u.maps.m = map[string]template.HTML{}
	}
	u.maps.m[key] = h
	u.maps.mu.Unlock()
	return h, nil
}

// mapPage is the data of the map page.
type mapPage struct {
	*view
	Map template.HTML // the rendered map component (renderedMap)
}

// handleMap shows the map large with the table of every site.
func (u *ui) handleMap(c *fiber.Ctx, v *view) error {
	v.Title = v.T("map.title")
	regions, perRegion, err := u.siteCounts(c)
	if err != nil {
		return err
	}
	m, err := u.renderedMap("map", v, regions, perRegion, strings.ToUpper(strings.TrimSpace(c.Query("currency"))), "", true)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "map", mapPage{view: v, Map: m})
}
