package main

import (
	"math"
	"testing"
)

func TestSimplifyKeepsCornersDropsNoise(t *testing.T) {
	// A square's side with a 0.1-unit wobble: the wobble goes, the corners stay.
	in := []point{{0, 0}, {5, 0.1}, {10, 0}, {10, 10}}
	out := simplify(in, 0.45)
	if len(out) != 3 || out[1] != (point{10, 0}) {
		t.Errorf("simplify = %v", out)
	}
}

func TestClipToTheRectangle(t *testing.T) {
	// A square from (-5,-5) to (5,5) clipped to [0,10]²: the quarter from (0,0) to (5,5), area 25.
	out := clip([]point{{-5, -5}, {5, -5}, {5, 5}, {-5, 5}}, 0, 0, 10, 10)
	if a := math.Abs(area(out)); math.Abs(a-25) > 1e-9 {
		t.Errorf("clipped area %v, want 25 (%v)", a, out)
	}
	if out := clip([]point{{20, 20}, {30, 20}, {30, 30}}, 0, 0, 10, 10); len(out) != 0 {
		t.Errorf("a ring outside the rectangle left %v", out)
	}
}

func TestNumbersAreShort(t *testing.T) {
	for in, want := range map[float64]string{0.5: ".5", -0.5: "-.5", 12.34: "12.3", -0.04: "0", 3: "3", -12.06: "-12.1"} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
	if alpha2("276") != "DE" || alpha2("156") != "CN" || alpha2("-99") != "" {
		t.Errorf("alpha2: %q %q %q", alpha2("276"), alpha2("156"), alpha2("-99"))
	}
}
