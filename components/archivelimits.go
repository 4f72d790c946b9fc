package components

import (
	"fmt"
	"sort"
	"strings"

	"log-archive/internal/fielderr"
	"log-archive/internal/policy"
)

// Three lists grow the archive's policies: the listed source accounts, the OU paths and the key
// administrators. When a policy is over its AWS limit (R2.9, R3.5), the message names the list to shorten
// and how many of it fit, not always the source accounts: 500 OU paths with two accounts would otherwise
// read "at most 0 source accounts fit".

// ArchiveList is one list of DestinationArchiveArgs whose length counts against the policy limits, and how
// many of its items fit while the other lists stay as they are.
type ArchiveList struct {
	Field string // the DestinationArchiveArgs field: SourceAccountIDs, SourceOrganization.Paths, KeyAdministratorArns
	Noun  string // what it lists, plural: "source accounts", "paths", "administrators"
	Len   int
	// Fit is how many of its first items fit with the other lists as they are; -1 when none does, so that
	// shortening this list alone is not enough.
	Fit int
	// Modes, for the listed accounts of an archive without an organization, says how many fit in each
	// source-principal mode, the archive's own first (R2.13): the fallback holds fewer, and a user choosing
	// between them needs both figures.
	Modes string
}

// ModesNote is Modes in parentheses, or "".
func (l ArchiveList) ModesNote() string {
	if l.Modes == "" {
		return ""
	}
	return " (" + l.Modes + ")"
}

// ArchiveOverflow is what is over its limit, and the lists to shorten.
type ArchiveOverflow struct {
	Policies []string // e.g. "the archive key policy is 40123 bytes, over the AWS limit of 32768 bytes (R3.5)"
	Lists    []ArchiveList
}

// archiveLists are the lists, with how to read and replace each on a copy of the arguments. minimum is the
// fewest items that keep the list's meaning: an organization with no paths admits the whole organization.
var archiveLists = []struct {
	field, noun string
	minimum     int
	get         func(*DestinationArchiveArgs) []string
	set         func(*DestinationArchiveArgs, []string)
}{
	{"SourceAccountIDs", "source accounts", 0,
		func(a *DestinationArchiveArgs) []string { return a.SourceAccountIDs },
		func(a *DestinationArchiveArgs, v []string) { a.SourceAccountIDs = v }},
	{"SourceOrganization.Paths", "paths", 1,
		func(a *DestinationArchiveArgs) []string {
			if a.SourceOrganization == nil {
				return nil
			}
			return a.SourceOrganization.Paths
		},
		func(a *DestinationArchiveArgs, v []string) {
			org := *a.SourceOrganization
			org.Paths = v
			a.SourceOrganization = &org
		}},
	{"KeyAdministratorArns", "administrators", 0,
		func(a *DestinationArchiveArgs) []string { return a.KeyAdministratorArns },
		func(a *DestinationArchiveArgs, v []string) { a.KeyAdministratorArns = v }},
}

// listedAccountsFitByMode says how many listed accounts fit as the archive's own mode (fit), then in the
// other modes with the other lists as they are.
func listedAccountsFitByMode(args *DestinationArchiveArgs, fit int) string {
	mode := args.SourcePrincipals
	if mode == "" {
		mode = SourceAccountsInCondition
	}
	msg := fmt.Sprintf("%d as %s", fit, mode)
	for _, other := range SourcePrincipalModes {
		if other == mode {
			continue
		}
		probe := *args
		probe.SourcePrincipals = other
		items := args.SourceAccountIDs
		n := sort.Search(len(items), func(i int) bool {
			probe.SourceAccountIDs = items[:i+1]
			return !archivePoliciesFit(&probe)
		})
		msg += fmt.Sprintf(", %d as %s", n, other)
	}
	return msg
}

func archivePoliciesFit(args *DestinationArchiveArgs) bool {
	return archiveBucketPolicy(args).Size() <= policy.BucketPolicyLimit && archiveKeyPolicy(args).Size() <= policy.KeyPolicyLimit
}

// ArchivePolicyOverflow renders both archive policies; nil when both fit their AWS limits. Otherwise it
// names each list that, shortened alone, makes them fit, with how many of it fit; when no single list
// can, every list that is not empty.
func ArchivePolicyOverflow(args *DestinationArchiveArgs) *ArchiveOverflow {
	bucketPolicy, keyPolicy := archiveBucketPolicy(args), archiveKeyPolicy(args)
	if bucketPolicy.Size() <= policy.BucketPolicyLimit && keyPolicy.Size() <= policy.KeyPolicyLimit {
		return nil
	}
	o := &ArchiveOverflow{}
	for _, p := range []struct {
		name, fact  string
		size, limit int
	}{
		{"the archive bucket policy", "R2.9", bucketPolicy.Size(), policy.BucketPolicyLimit},
		{"the archive key policy", "R3.5", keyPolicy.Size(), policy.KeyPolicyLimit},
	} {
		if p.size > p.limit {
			o.Policies = append(o.Policies, fmt.Sprintf("%s is %d bytes, over the AWS limit of %d bytes (%s)", p.name, p.size, p.limit, p.fact))
		}
	}
	var culprits, together []ArchiveList
	for _, l := range archiveLists {
		items := l.get(args)
		if len(items) == 0 {
			continue
		}
		probe := *args
		fits := func(n int) bool {
			l.set(&probe, items[:n])
			return archivePoliciesFit(&probe)
		}
		list := ArchiveList{Field: l.field, Noun: l.noun, Len: len(items), Fit: -1}
		if fits(l.minimum) {
			// The first count that does not fit, searched above the minimum; the one before it fits.
			list.Fit = l.minimum + sort.Search(len(items)-l.minimum, func(i int) bool { return !fits(l.minimum + i + 1) })
			if l.field == "SourceAccountIDs" && args.SourceOrganization == nil {
				list.Modes = listedAccountsFitByMode(args, list.Fit)
			}
			culprits = append(culprits, list)
		} else {
			together = append(together, list)
		}
	}
	if len(culprits) == 0 {
		culprits = together
	}
	o.Lists = culprits
	return o
}

// listFixes say how to shorten each list.
var listFixes = map[string]string{
	"SourceAccountIDs": "list fewer source accounts in this archive and put the rest in a second destination stack, or admit them by organization or OU with {SourceOrganization} (R2.12)",
	"SourceOrganization.Paths": "name fewer OU paths: a path admits its OU and every OU below it, so name a common parent OU, " +
		"or remove paths to admit the whole organization (R2.12)",
	"KeyAdministratorArns": "name fewer key administrators: let them assume one administrator role and name that role (R3.5)",
}

// CheckArchivePolicySizes reports a policy over its AWS limit under each list to shorten, with how many of
// it fit (see ArchivePolicyOverflow).
func CheckArchivePolicySizes(args *DestinationArchiveArgs) error {
	o := ArchivePolicyOverflow(args)
	if o == nil {
		return nil
	}
	var l fielderr.List
	over := strings.Join(o.Policies, "; ")
	for _, list := range o.Lists {
		fit := fmt.Sprintf("at most %d %s fit with the other lists as they are%s", list.Fit, list.Noun, list.ModesNote())
		if list.Fit < 0 {
			fit = "not even the first fits with the other lists as long as they are: shorten this list and the others"
		}
		fix := listFixes[list.Field]
		if list.Field == "SourceAccountIDs" && args.SourcePrincipals == SourceAccountsAsPrincipals {
			fix += ", or go back to {SourcePrincipals}: accountCondition if IAM Access Analyzer accepts it (docs/public-access.md)"
		}
		l.Add(list.Field, fmt.Sprintf("(%d %s)", list.Len, list.Noun), over+": "+fit, fix)
	}
	return l.Err()
}
