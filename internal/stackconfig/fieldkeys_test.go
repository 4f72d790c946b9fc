package stackconfig

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/fielderr"
)

// Arguments with mistakes in every field the components check, one variant per rule that excludes others.
// What the components report about them is every path (and {Path} token) a stack file's problem can come
// from: each must map to a key, and each row of the tables must be reached, so that a table and the
// components' rules cannot drift apart.

const (
	testArchive = "111111111111"
	testSource  = "222222222222"
	testKey     = "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"
)

func goodArchive() *components.DestinationArchiveArgs {
	return &components.DestinationArchiveArgs{AccountID: testArchive, Region: "eu-west-1", BucketName: "acme-log-archive",
		ReplicationRoleName: DefaultReplicationRoleName, ReplicationRolePath: DefaultReplicationRolePath, KeyAlias: DefaultKeyAlias}
}

func goodSource() *components.SourceReplicatorArgs {
	return &components.SourceReplicatorArgs{AccountID: testSource, Region: "us-east-2",
		Archive: components.ArchiveContract{AccountID: testArchive, Region: "eu-west-1", BucketName: "acme-log-archive",
			KeyArn:   "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			RoleName: DefaultReplicationRoleName, RolePath: DefaultReplicationRolePath, SourceAccountIDs: []string{testSource}},
		Buckets: []components.SourceBucket{{Name: "trail-logs", KMSKeyArns: []string{testKey}}}}
}

func archiveMistakes() []error {
	var out []error
	for _, change := range []func(a *components.DestinationArchiveArgs){
		func(a *components.DestinationArchiveArgs) {
			a.AccountID, a.Region, a.BucketName = "111", "eu-west-4", "Acme_Archive"
			a.ReplicationRoleName, a.ReplicationRolePath, a.KeyAlias = "a/b", "/x//", "log-archive"
			a.Tags = map[string]string{"aws:x": "y"}
			a.SourceAccountIDs = []string{"1", testSource, testSource}
			a.SourceOrganization = &components.SourceOrganization{ID: "", Paths: []string{"o-a1b2c3d4e5/r-ab12/"}}
			a.SourcePrincipals = "everyone"
			a.KeyAdministratorArns = []string{"arn:aws:iam::111111111111:role/*"}
			a.ObjectLock = &components.ObjectLockRetention{Mode: "STRICT", Days: 0}
			a.Lifecycle = &components.NoncurrentVersionLifecycle{}
		},
		func(a *components.DestinationArchiveArgs) {
			a.SourceAccountIDs = []string{testArchive}
			a.SourceOrganization = &components.SourceOrganization{ID: "o-a1b2c3d4e5"}
			a.SourcePrincipals = components.SourceAccountsAsPrincipals
			a.Lifecycle = &components.NoncurrentVersionLifecycle{TransitionDays: -1}
		},
		func(a *components.DestinationArchiveArgs) {
			a.Lifecycle = &components.NoncurrentVersionLifecycle{TransitionDays: 30, TransitionStorageClass: "COLD"}
		},
		func(a *components.DestinationArchiveArgs) {
			a.Lifecycle = &components.NoncurrentVersionLifecycle{ExpirationDays: -1}
		},
	} {
		a := goodArchive()
		change(a)
		out = append(out, a.ValidateFields())
	}
	// The policies' sizes, under the list to shorten.
	many := func(n int, f string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(f, i)
		}
		return out
	}
	paths, admins, accounts := goodArchive(), goodArchive(), goodArchive()
	paths.SourceOrganization = &components.SourceOrganization{ID: "o-a1b2c3d4e5", Paths: many(500, "o-a1b2c3d4e5/r-ab12/ou-ab12-%08d/")}
	admins.KeyAdministratorArns = many(1000, "arn:aws:iam::111111111111:role/KeyAdministrator%04d")
	accounts.SourceAccountIDs, accounts.SourcePrincipals = many(1400, "3%011d"), components.SourceAccountsAsPrincipals
	for _, a := range []*components.DestinationArchiveArgs{paths, admins, accounts} {
		out = append(out, components.CheckArchivePolicySizes(a))
	}
	return out
}

func sourceMistakes() []error {
	var out []error
	lockless := func(b *components.LogBucket) *components.LogBucket { b.ObjectLock = nil; return b }
	for _, change := range []func(a *components.SourceReplicatorArgs){
		func(a *components.SourceReplicatorArgs) {
			a.AccountID, a.Tags, a.StorageClass = "2", map[string]string{"aws:x": "y"}, "COLD"
			a.ReplicationTimeControl, a.DisableMetrics = true, true
			a.Alarms.TopicArns = map[string]string{"eu-west-4": "x"}
			a.Buckets = []components.SourceBucket{{Name: ""}, {Name: "a-logs", Region: "eu-west-4", Prefix: "/x"},
				{Name: "a-logs", KMSKeyArns: []string{testKey}, Prefix: strings.Repeat("p", 1025)}}
		},
		func(a *components.SourceReplicatorArgs) {
			a.Region = "eu-west-4"
		},
		func(a *components.SourceReplicatorArgs) {
			a.Alarms.TopicArns = map[string]string{"us-east-2": "arn:aws:sns:us-east-2:999999999999:t"}
			a.Buckets[0].KMSKeyArns = []string{"alias/x"}
			a.LogBuckets = []components.LogBucket{
				{Name: "trail-logs", Region: "cn-north-1", Services: []components.LogService{"waf", "waf"}},
				*lockless(&components.LogBucket{Name: "b-logs", Services: []components.LogService{components.GuardDuty}, ServiceRegion: "eu-west-4"}),
				{Name: "c-logs", Services: []components.LogService{components.CloudTrail}, TrailNames: []string{"a b", "a b"},
					GuardDutyDetectorID: "x", AdoptKeyArn: "alias/x", ObjectLock: &components.ObjectLockRetention{Mode: "STRICT", Days: 0}},
				{Name: "g-logs"},
				{Name: "d-logs", Services: []components.LogService{components.CloudTrail}, AdoptKeyArn: "alias/x"},
				{Name: "d-logs", Services: []components.LogService{components.VPCFlowLogs}, TrailNames: []string{"t"}},
				{Name: "e-logs", Region: "ap-east-1", Services: []components.LogService{components.GuardDuty}, ServiceRegion: "cn-north-1"},
				{Name: "f-logs", Region: "ap-east-1", Services: []components.LogService{components.GuardDuty},
					GuardDutyDetectorID: "6ac1f2e3d4b5a69788796a5b4c3d2e1f", ServiceRegion: "us-east-1"},
			}
		},
		func(a *components.SourceReplicatorArgs) { a.Buckets = nil },
	} {
		a := goodSource()
		change(a)
		out = append(out, a.ValidateLocal())
	}
	for _, change := range []func(a *components.SourceReplicatorArgs){
		func(a *components.SourceReplicatorArgs) { a.AccountID = testArchive },
		func(a *components.SourceReplicatorArgs) { a.Archive.SourceAccountIDs = nil },
		func(a *components.SourceReplicatorArgs) { a.Archive.Region = "cn-north-1" },
		func(a *components.SourceReplicatorArgs) {
			a.Alarms.TopicArns = map[string]string{"ap-south-1": "arn:aws:sns:ap-south-1:222222222222:t"}
			a.Buckets = append(a.Buckets, components.SourceBucket{Name: "acme-log-archive", KMSKeyArns: []string{testKey}, ObjectLock: true})
			trails := make([]string, 400)
			for i := range trails {
				trails[i] = fmt.Sprintf("trail-number-%03d", i)
			}
			a.LogBuckets = []components.LogBucket{{Name: "acme-log-archive", Services: []components.LogService{components.CloudTrail}, TrailNames: trails,
				ObjectLock: &components.ObjectLockRetention{Mode: "GOVERNANCE", Days: 1}}}
		},
		func(a *components.SourceReplicatorArgs) {
			a.Buckets = nil
			for i := range 400 {
				a.Buckets = append(a.Buckets, components.SourceBucket{Name: fmt.Sprintf("a-rather-long-bucket-name-for-the-role-quota-%04d", i),
					KMSKeyArns: []string{fmt.Sprintf("arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-%012d", i)}})
			}
		},
	} {
		a := goodSource()
		change(a)
		out = append(out, a.ValidateAgainstArchive())
	}
	return out
}

func fleetMistakes() []error {
	_, regionsErr := components.FleetRegions("eu-west-1", []string{"eu-west-4", "cn-north-1", "us-east-1", "us-east-1"})
	fleet := &components.FleetMonitoringArgs{AccountID: "1", ArchiveRegion: "eu-west-4", ArchiveBucket: "Acme_Archive",
		Regions: []string{"us-east-1"}, SourceAccountIDs: []string{"2"}, Tags: map[string]string{"aws:x": "y"},
		SourceOrganization: &components.SourceOrganization{ID: "o-x", Paths: []string{"x"}},
		TopicArns:          map[string]string{"us-east-1": "x", "ap-south-1": "y"}}
	return []error{regionsErr, fleet.ValidateFields()}
}

// paths are the paths and tokens of every field problem in errs, and the problems themselves.
func paths(t *testing.T, errs []error) (map[string]bool, fielderr.Errors) {
	t.Helper()
	seen := map[string]bool{}
	var all fielderr.Errors
	for _, err := range errs {
		require.Error(t, err)
		fields, others := fielderr.All(err)
		require.Empty(t, others, "every problem of these arguments belongs to a field")
		for _, e := range fields {
			seen[e.Path] = true
			for _, p := range append(fielderr.Tokens(e.Problem), fielderr.Tokens(e.Fix)...) {
				seen[p] = true
			}
		}
		all = append(all, fields...)
	}
	return seen, all
}

func TestFieldKeys_EveryPathMapsAndEveryRowIsReached(t *testing.T) {
	settings := &SourceSettings{File: "Pulumi.workload-a.yaml", DestinationStack: "organization/log-archive/destination"}
	for _, tc := range []struct {
		name   string
		table  fieldKeys
		errors []error
	}{
		{"destination", destinationFields, archiveMistakes()},
		{"source", settings.fields(), sourceMistakes()},
		{"fleet", fleetFields, fleetMistakes()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen, all := paths(t, tc.errors)
			reached := map[string]bool{}
			for _, p := range slices.Sorted(maps.Keys(seen)) {
				_, key, ok := tc.table.lookup(p)
				if assert.True(t, ok, "%s: no stack-file key for the component's field %s", tc.name, p) {
					assert.NotContains(t, key, "{}", "%s: every index of %s is filled in", tc.name, p)
				}
				reached[pathIndex.ReplaceAllString(p, "[]")] = true
			}
			for _, row := range slices.Sorted(maps.Keys(tc.table)) {
				assert.True(t, reached[row], "%s: no component problem reaches the row %q: remove it, or add the mistake that reaches it", tc.name, row)
			}
			for _, e := range all {
				assert.NotEmpty(t, e.Problem, "%s", e.Path)
				assert.NotEmpty(t, e.Fix, "%s: %s has no fix", e.Path, e.Problem)
			}
		})
	}
}

// The rendering a user reads: the key, the value, the problem and the fix, the tokens renamed, the
// config's alternative appended, and a key the decoding already refused not reported twice.
func TestReaderComponent_RendersInTheStackFilesTerms(t *testing.T) {
	r := &reader{file: "Pulumi.destination.yaml"}
	r.fail(KeySourceAccountIDs+"[0]", "12", "is not a quoted string", "quote it")
	var l fielderr.List
	l.Add("SourceAccountIDs[0]", `"12"`, "is not a 12-digit AWS account ID", "write it in quotes")
	l.Add("ReplicationRoleName", `"a/b"`, "is not an IAM role name", "use 1-64 letters")
	l.Add("SourcePrincipals", `"x"`, "is not a mode", "remove {SourcePrincipals}, or list them in {SourceAccountIDs}")
	assert.Empty(t, r.component(l.Err(), destinationFields))
	require.Len(t, r.errs, 3, "the account ID the decoding refused is reported once")
	assert.Equal(t, `Pulumi.destination.yaml: log-archive:replicationRoleName = "a/b": is not an IAM role name. Fix: use 1-64 letters, or remove the key for the default log-archive-replication`,
		r.errs[1].Error())
	assert.Equal(t, `Pulumi.destination.yaml: log-archive:sourcePrincipals = "x": is not a mode. Fix: remove log-archive:sourcePrincipals, or list them in log-archive:sourceAccountIds`,
		r.errs[2].Error())
}
