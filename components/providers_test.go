package components

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
)

// The Regions whose resources need an explicit provider, table-driven: the bucket Regions but the stack's,
// and with replication time control the archive's when a bucket is elsewhere (the latency alarms), even
// when it is the stack's own Region.
func TestProviderRegions(t *testing.T) {
	central := SourceBucket{Name: "central", Region: "eu-central-1", KMSKeyArns: []string{"arn:aws:kms:eu-central-1:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"}}
	for _, tc := range []struct {
		name  string
		edit  func(*SourceReplicatorArgs)
		wants []string
	}{
		{"one Region", func(*SourceReplicatorArgs) {}, nil},
		{"RTC, archive elsewhere", func(a *SourceReplicatorArgs) { a.ReplicationTimeControl = true }, []string{"eu-west-1"}},
		{"RTC, alarms off", func(a *SourceReplicatorArgs) { a.ReplicationTimeControl, a.Alarms.Disabled = true, true }, nil},
		{"a bucket elsewhere", func(a *SourceReplicatorArgs) { a.Buckets = append(a.Buckets, central) }, []string{"eu-central-1"}},
		{"RTC, a bucket elsewhere", func(a *SourceReplicatorArgs) {
			a.Buckets, a.ReplicationTimeControl = append(a.Buckets, central), true
		}, []string{"eu-central-1", "eu-west-1"}},
		{"RTC, archive in the stack's Region, a bucket elsewhere", func(a *SourceReplicatorArgs) {
			a.Buckets, a.ReplicationTimeControl, a.Archive.Region = append(a.Buckets, central), true, "us-east-2"
		}, []string{"eu-central-1", "us-east-2"}},
		{"RTC, archive in the stack's Region", func(a *SourceReplicatorArgs) {
			a.ReplicationTimeControl, a.Archive.Region = true, "us-east-2"
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := sourceArgs()
			tc.edit(a)
			assert.ElementsMatch(t, tc.wants, a.ProviderRegions())
			assert.IsNonDecreasing(t, a.ProviderRegions())
		})
	}
}

// The component takes its providers and builds none: a Region without one is refused before anything is
// registered, with the field and the Region.
func TestSourceReplicatorRefusesAMissingProvider(t *testing.T) {
	a := sourceArgs()
	a.ReplicationTimeControl = true
	a.Buckets = append(a.Buckets, SourceBucket{Name: "central", Region: "eu-central-1",
		KMSKeyArns: []string{"arn:aws:kms:eu-central-1:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"}})
	err := a.Validate()
	assert.ErrorContains(t, err, "Providers: no AWS provider for eu-central-1, where this stack creates resources")
	assert.ErrorContains(t, err, "Providers: no AWS provider for eu-west-1")

	a.Providers = map[string]pulumi.ProviderResource{"eu-central-1": &aws.Provider{}, "eu-west-1": &aws.Provider{}}
	assert.NoError(t, a.Validate())
}

// The fleet view's components build no provider: a Region other than the stack's without one given is
// refused before anything is registered, and one given is accepted.
func TestMonitoringComponentsRefuseARegionWithoutAProvider(t *testing.T) {
	given := map[string]pulumi.ProviderResource{"us-east-2": &aws.Provider{}}
	fleet := func(p map[string]pulumi.ProviderResource) error {
		return (&FleetMonitoringArgs{AccountID: "111111111111", ArchiveRegion: "eu-west-1", ArchiveBucket: "acme-log-archive",
			Regions: []string{"eu-west-1", "us-east-2"}, SourceAccountIDs: []string{"222222222222"}, Providers: p}).Validate()
	}
	links := func(p map[string]pulumi.ProviderResource) error {
		return (&MonitoringLinksArgs{AccountID: "222222222222", StackRegion: "eu-west-1", Providers: p, SinkArns: map[string]string{
			"eu-west-1": "arn:aws:oam:eu-west-1:111111111111:sink/aaaaaaaa-1111-4222-a333-444444444444",
			"us-east-2": "arn:aws:oam:us-east-2:111111111111:sink/bbbbbbbb-1111-4222-a333-444444444444"}}).Validate()
	}
	for name, validate := range map[string]func(map[string]pulumi.ProviderResource) error{"FleetMonitoring": fleet, "MonitoringLinks": links} {
		assert.NoError(t, validate(given), name)
		err := validate(nil)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), "Providers: no AWS provider for us-east-2", name)
			assert.NotContains(t, err.Error(), "eu-west-1", "%s: the stack's own Region uses the default provider", name)
		}
	}
}
