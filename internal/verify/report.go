package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes one table per bucket, each failed check followed by its likely cause and facts.
func (r *Report) WriteText(w io.Writer) error {
	t := r.Target
	lock := "no Object Lock"
	if t.ObjectLock {
		lock = "Object Lock on"
	}
	fmt.Fprintf(w, "archive s3://%s (account %s, %s, %s)\nkey     %s\n", t.ArchiveBucket, t.ArchiveAccount, t.ArchiveRegion, lock, t.ArchiveKeyArn)
	for _, b := range r.Buckets {
		verdict := "ok"
		if !b.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "\nsource s3://%s: %s\n  region %s (from %s)\n  prefix %q (from %s)\n", b.Bucket, verdict, b.Region, b.RegionFrom, b.Prefix, b.PrefixFrom)
		if b.CanaryKey != "" {
			fmt.Fprintf(w, "  canary %s (version %s, waited %.0fs)\n", b.CanaryKey, orNone(b.VersionID), b.WaitedSeconds)
		}
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "  CHECK\tRESULT\tGOT\tWANT")
		for _, c := range b.Checks {
			want := dash(c.Want)
			if c.Status == OK && c.Got == c.Want {
				want = "=" // long ARNs once, not twice
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Name, c.Status, dash(c.Got), want)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, c := range b.Checks {
			if c.Status != OK && c.Cause != "" {
				facts := ""
				if len(c.Facts) > 0 {
					facts = " [" + strings.Join(c.Facts, ", ") + "]"
				}
				fmt.Fprintf(w, "  %s: %s%s\n", c.Name, c.Cause, facts)
			}
		}
	}
	failed := 0
	for _, b := range r.Buckets {
		if !b.OK {
			failed++
		}
	}
	fmt.Fprintf(w, "\n%d of %d buckets replicate correctly.", len(r.Buckets)-failed, len(r.Buckets))
	if len(r.Buckets) > 0 {
		fmt.Fprint(w, " Canaries stay in both buckets: verify deletes nothing, and the archive's may be locked.")
	}
	fmt.Fprintln(w)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
