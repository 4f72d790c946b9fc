package fleetverify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteJSON writes the report as indented JSON, each row with verify's own report of its buckets.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Sorted is the rows worst first (most failed cells), then by account: what a reader looks for first.
func (r *Report) Sorted() []Row {
	rows := slices.Clone(r.Rows)
	slices.SortStableFunc(rows, func(a, b Row) int {
		if d := failedCells(b) - failedCells(a); d != 0 {
			return d
		}
		return strings.Compare(a.Account+a.Stack, b.Account+b.Stack)
	})
	return rows
}

func failedCells(r Row) int {
	n := 0
	for _, v := range r.Cells {
		if v == Failed {
			n++
		}
	}
	return n
}

// Headline is the report's one-line verdict.
func (r *Report) Headline() string {
	if r.OK {
		return fmt.Sprintf("all %d source accounts pass every check", len(r.Rows))
	}
	return fmt.Sprintf("%d of %d source accounts FAILED a check", r.Failing(), len(r.Rows))
}

// WriteMarkdown writes the verdict, every failing account with its causes, and the grid. A GitHub issue
// holds at most 65,536 characters (GH5): with max > 0, the grid keeps only the failing accounts when the
// whole would not fit in max bytes, and says where the rest is.
func (r *Report) WriteMarkdown(w io.Writer, max int) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Fleet health: %s\n\n", r.Headline())
	fmt.Fprintf(&b, "Archive stack `%s` (account %s, %s). Run at %s.", r.Archive.Name, r.Archive.Account, r.Archive.Region, r.Generated.Format("2006-01-02 15:04 UTC"))
	if r.ReadOnly {
		b.WriteString(" Read-only run: the replication rules are checked, no canary is written (`--canary` proves replication end to end).")
	}
	b.WriteString("\n\n")
	rows := r.Sorted()
	if !r.OK {
		b.WriteString("## Failing accounts\n\n")
		for _, row := range rows {
			if row.OK() {
				continue
			}
			fmt.Fprintf(&b, "### %s (`%s`)\n\n", row.Account, row.Stack)
			for _, p := range row.Problems {
				fmt.Fprintf(&b, "- %s\n", p)
			}
			b.WriteString("\n")
		}
	}
	grid := func(only func(Row) bool) string {
		var g strings.Builder
		g.WriteString("| account | stack | " + strings.Join(r.Columns, " | ") + " |\n|" + strings.Repeat(" --- |", len(r.Columns)+2) + "\n")
		for _, row := range rows {
			if !only(row) {
				continue
			}
			cells := make([]string, len(r.Columns))
			for i, c := range r.Columns {
				cells[i] = row.Cells[c]
			}
			fmt.Fprintf(&g, "| %s | `%s` | %s |\n", row.Account, row.Stack, strings.Join(cells, " | "))
		}
		return g.String()
	}
	b.WriteString("## Every check\n\nOne row per source account, worst first; OK, FAILED or SKIPPED (not checked: an earlier check failed, or the run is read-only).\n\n")
	all := grid(func(Row) bool { return true })
	if max > 0 && b.Len()+len(all) > max {
		fmt.Fprintf(&b, "%d passing accounts are left out to fit a GitHub issue; the JSON report and the picture have every account.\n\n", len(rows)-r.Failing())
		all = grid(func(row Row) bool { return !row.OK() })
	}
	b.WriteString(all)
	_, err := w.Write(b.Bytes())
	return err
}
