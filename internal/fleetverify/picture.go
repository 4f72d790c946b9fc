package fleetverify

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The picture's colours: GitHub's own green, red and grey, so it reads like the checks of a pull request.
var (
	ColourOK      = color.RGBA{0x2d, 0xa4, 0x4e, 0xff}
	ColourFailed  = color.RGBA{0xcf, 0x22, 0x2e, 0xff}
	ColourSkipped = color.RGBA{0xd0, 0xd7, 0xde, 0xff}
	colourText    = color.RGBA{0x1f, 0x23, 0x28, 0xff}
	colourBack    = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// Layout of the picture, in pixels: basicfont's 7x13 glyphs, one text line per 16 pixels.
const (
	margin     = 8
	lineHeight = 16
	glyphWidth = 7
	cellWidth  = 28
	cellHeight = 14
)

// Picture is the grid's geometry: a title, the legend (colours, then each column's number and name), the
// column numbers, then a row per account, worst first, labelled with its account and stack.
type Picture struct {
	Report     *Report
	rows       []Row
	labelWidth int
	gridTop    int
}

// NewPicture lays out the report.
func NewPicture(r *Report) *Picture {
	p := &Picture{Report: r, rows: r.Sorted()}
	longest := 0
	for _, row := range p.rows {
		longest = max(longest, len(rowLabel(row)))
	}
	p.labelWidth = longest*glyphWidth + margin
	// title, colour legend, one line per column name, the column numbers
	p.gridTop = margin + lineHeight*(3+len(r.Columns)) + lineHeight
	return p
}

func rowLabel(r Row) string { return r.Account + " " + r.Stack }

// Bounds is the picture's size.
func (p *Picture) Bounds() image.Rectangle {
	w := margin + p.labelWidth + len(p.Report.Columns)*cellWidth + margin
	w = max(w, margin+len(p.title())*glyphWidth+margin, margin+58*glyphWidth)
	return image.Rect(0, 0, w, p.gridTop+len(p.rows)*lineHeight+margin)
}

// Cell is where the cell of the i-th row (worst first, as Rows sorts) and the j-th column is drawn.
func (p *Picture) Cell(i, j int) image.Rectangle {
	x := margin + p.labelWidth + j*cellWidth
	y := p.gridTop + i*lineHeight
	return image.Rect(x, y, x+cellWidth-2, y+cellHeight)
}

// Rows are the rows in the picture's order.
func (p *Picture) Rows() []Row { return p.rows }

func (p *Picture) title() string {
	return fmt.Sprintf("log-archive fleet health, %s: %s", p.Report.Generated.Format("2006-01-02 15:04 UTC"), p.Report.Headline())
}

// Colour is the colour of a cell value.
func Colour(cell string) color.RGBA {
	switch cell {
	case OK:
		return ColourOK
	case Failed:
		return ColourFailed
	}
	return ColourSkipped
}

// WritePNG draws the picture.
func (r *Report) WritePNG(w io.Writer) error {
	p := NewPicture(r)
	img := image.NewRGBA(p.Bounds())
	draw.Draw(img, img.Bounds(), &image.Uniform{colourBack}, image.Point{}, draw.Src)
	text := func(x, y int, s string) {
		d := font.Drawer{Dst: img, Src: &image.Uniform{colourText}, Face: basicfont.Face7x13, Dot: fixed.P(x, y+11)}
		d.DrawString(s)
	}
	swatch := func(x, y int, c color.RGBA) {
		draw.Draw(img, image.Rect(x, y+1, x+cellWidth-2, y+cellHeight-1), &image.Uniform{c}, image.Point{}, draw.Src)
	}
	y := margin
	text(margin, y, p.title())
	y += lineHeight
	x := margin
	for _, v := range []string{OK, Failed, Skipped} {
		swatch(x, y, Colour(v))
		text(x+cellWidth+2, y, v)
		x += cellWidth + 2 + (len(v)+3)*glyphWidth
	}
	y += lineHeight * 2
	for j, c := range r.Columns {
		text(margin, y, fmt.Sprintf("%2d  %s", j+1, c))
		y += lineHeight
	}
	text(margin, y, "account, stack")
	for j := range r.Columns {
		text(p.Cell(0, j).Min.X+4, y, fmt.Sprintf("%2d", j+1))
	}
	for i, row := range p.rows {
		cy := p.Cell(i, 0).Min.Y
		text(margin, cy, rowLabel(row))
		for j, c := range r.Columns {
			draw.Draw(img, p.Cell(i, j), &image.Uniform{Colour(row.Cells[c])}, image.Point{}, draw.Src)
		}
	}
	return png.Encode(w, img)
}
