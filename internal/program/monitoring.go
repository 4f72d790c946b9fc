package program

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/stackconfig"
)

// fleetMonitoring builds the archive's fleet view when log-archive:monitoring is on, and returns the sink
// ARNs by Region that the contract publishes ({} when off).
func fleetMonitoring(ctx *pulumi.Context, s *stackconfig.DestinationSettings) (pulumi.StringMap, error) {
	sinks := pulumi.StringMap{}
	if !s.Monitoring.Enabled {
		return sinks, nil
	}
	args := s.Args
	var others []string
	for _, region := range s.Monitoring.Regions {
		if region != args.Region {
			others = append(others, region)
		}
	}
	providers, err := regionProviders(ctx, s.Provider, others, func(string) []pulumi.Alias { return nil })
	if err != nil {
		return nil, err
	}
	m, err := components.NewFleetMonitoring(ctx, "fleet", &components.FleetMonitoringArgs{
		AccountID: args.AccountID, ArchiveRegion: args.Region, ArchiveBucket: args.BucketName,
		Regions:          s.Monitoring.Regions,
		SourceAccountIDs: args.SourceAccountIDs, SourceOrganization: args.SourceOrganization,
		TopicArns: s.Monitoring.TopicArns, Providers: providers, Tags: args.Tags,
	})
	if err != nil {
		return nil, err
	}
	for region, arn := range m.SinkArns {
		sinks[region] = arn
	}
	return sinks, nil
}

// linkRegions are the Regions where S3 publishes a source's replication metrics (M5): its buckets'
// Regions (failed operations) and the archive's (latency and pending).
func linkRegions(args *components.SourceReplicatorArgs) []string {
	regions := slices.Clone(args.Regions())
	if !slices.Contains(regions, args.Archive.Region) {
		regions = append(regions, args.Archive.Region)
	}
	slices.Sort(regions)
	return regions
}

// monitoringSinks are the archive's sinks a source with log-archive:monitoring on links to, one in every
// Region of linkRegions (nil when off). A Region without a sink stops the stack before anything is
// registered, with the archive's key to set.
func monitoringSinks(s *stackconfig.SourceSettings) (map[string]string, error) {
	if !s.Monitoring.Enabled {
		return nil, nil
	}
	args := s.Args
	sinks := map[string]string{}
	var missing []string
	for _, region := range linkRegions(args) {
		if arn, ok := args.Archive.MonitoringSinkArns[region]; ok {
			sinks[region] = arn
		} else {
			missing = append(missing, region)
		}
	}
	if len(missing) == 0 {
		return sinks, nil
	}
	stack := stackconfig.DestinationStackName(s.DestinationStack)
	have := "none: its fleet view is off"
	if len(args.Archive.MonitoringSinkArns) > 0 {
		have = strings.Join(slices.Sorted(maps.Keys(args.Archive.MonitoringSinkArns)), ", ")
	}
	return nil, stackconfig.Errors{&stackconfig.Error{File: s.File, Key: stackconfig.KeyMonitoring, Value: "{enabled: true}",
		Problem: fmt.Sprintf("S3 publishes this account's replication metrics in %s (M5), but the archive has no sink in %s (its sinks: %s)",
			strings.Join(linkRegions(args), ", "), strings.Join(missing, ", "), have),
		Fix: fmt.Sprintf("add %s to log-archive:monitoring.regions in Pulumi.%s.yaml (with enabled: true), run `pulumi up --stack %s`, then run this stack again; or remove log-archive:monitoring here",
			strings.Join(missing, ", "), stack, stack)}}
}

// monitoringLinks links the account to sinks, through the stack's provider of each Region
// (args.Providers, which sourceProviderRegions covers), and returns the link ARNs by Region ({} when there
// is no sink to link to).
func monitoringLinks(ctx *pulumi.Context, args *components.SourceReplicatorArgs, sinks map[string]string) (pulumi.StringMap, error) {
	links := pulumi.StringMap{}
	if len(sinks) == 0 {
		return links, nil
	}
	l, err := components.NewMonitoringLinks(ctx, "monitoring", &components.MonitoringLinksArgs{
		AccountID: args.AccountID, StackRegion: args.Region, SinkArns: sinks,
		Providers: args.Providers, Tags: args.Tags,
	})
	if err != nil {
		return nil, err
	}
	for region, arn := range l.LinkArns {
		links[region] = arn
	}
	return links, nil
}
