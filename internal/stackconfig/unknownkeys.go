package stackconfig

import (
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/suggest"
)

// rejectUnknownKeys reports every key of the program's namespace that it does not read: a misspelt
// log-archive:objectlock would otherwise leave the archive without the Object Lock the user asked for, and
// the plan would look normal. Each gets the nearest key the program knows.
func (r *reader) rejectUnknownKeys(ctx *pulumi.Context) {
	keys, ok := configKeys(ctx)
	if !ok {
		Warn(ctx, "log-archive could not list the stack's configuration keys, so misspelt keys are not detected")
		return
	}
	slices.Sort(keys)
	for _, key := range keys {
		ns, name, _ := strings.Cut(key, ":")
		switch {
		case ns == Namespace:
		case !strings.EqualFold(ns, "aws") && suggest.Near(ns, Namespace, 2):
			// log-archve:sourceBuckets, Log-Archive:..: another namespace, which the program never reads.
			fix := "write the namespace as " + Namespace + ":"
			if near := nearestKey(Namespace + ":" + name); near != "" {
				fix = "did you mean " + near + "? " + fix
			}
			r.fail(key, display(configValue(ctx, key)), "is in the namespace "+ns+", not "+Namespace+", so it would be silently ignored", fix)
			continue
		case ns == "aws":
			// The provider's own keys are the provider's to judge, except a near miss of the two this
			// program reads: aws:regoin would leave aws:region unset.
			for _, read := range []string{KeyRegion, KeyAllowedAccountIDs} {
				if key != read && suggest.Near(key, read, 2) {
					r.fail(key, display(configValue(ctx, key)), "is not a key of the AWS provider this program reads",
						"did you mean "+read+"? Rename it")
				}
			}
			continue
		default:
			continue
		}
		if _, known := Declarations[key]; known {
			continue
		}
		fix := "remove it; the keys this program reads are declared in Pulumi.yaml"
		if near := nearestKey(key); near != "" {
			fix = "did you mean " + near + "? Rename it, or remove it; the keys this program reads are declared in Pulumi.yaml"
		}
		r.fail(key, display(configValue(ctx, key)), "is not a key this program reads, so it would be silently ignored", fix)
	}
}

// nearestKey is the declared key a misspelling most likely meant: the same but for case, or within a few
// edits (a singular for a plural, a dropped or swapped letter). "" when none is close.
func nearestKey(key string) string {
	known := slices.Sorted(maps.Keys(Declarations))
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return suggest.Nearest(key, known, 3) // sorted, so of keys equally close the first in order
}

// configValue is the raw value of any configuration key of the run.
func configValue(ctx *pulumi.Context, key string) string {
	v, _ := ctx.GetConfig(key)
	return v
}
