// Package program is the Pulumi program of both stack kinds. main.go runs it against the Pulumi engine;
// the offline plan and the tests run the very same function under Pulumi's mock monitor.
package program

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/contract"
	"log-archive/internal/stackconfig"
)

// Run is the program main.go hands to pulumi.Run.
func Run(ctx *pulumi.Context) error {
	_, err := Program(ctx)
	return err
}

// Program reads and validates the stack's configuration, builds its component and exports the outputs,
// which it also returns so that the offline plan can print them.
func Program(ctx *pulumi.Context) (pulumi.Map, error) {
	kind, err := stackconfig.ReadKind(ctx)
	if err != nil {
		return nil, err
	}
	var outputs pulumi.Map
	switch kind {
	case stackconfig.KindDestination:
		outputs, err = destination(ctx)
	case stackconfig.KindSource:
		outputs, err = source(ctx)
	}
	if err != nil {
		return nil, err
	}
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return outputs, nil
}

func destination(ctx *pulumi.Context) (pulumi.Map, error) {
	settings, err := stackconfig.LoadDestinationSettings(ctx)
	if err != nil {
		return nil, err
	}
	args := settings.Args
	archive, err := components.NewDestinationArchive(ctx, "archive", args)
	if err != nil {
		return nil, err
	}
	sinks, err := fleetMonitoring(ctx, settings)
	if err != nil {
		return nil, err
	}
	return publishContract(archive, args, sinks), nil
}

func source(ctx *pulumi.Context) (pulumi.Map, error) {
	settings, err := stackconfig.LoadSource(ctx)
	if err != nil {
		return nil, err
	}
	args := settings.Args
	if args.Archive, err = readContract(ctx, settings); err != nil {
		return nil, err
	}
	// What only the archive's contract can reveal, reported with the stack file and key.
	if err := settings.RefuseSource(args.ValidateAgainstArchive()); err != nil {
		return nil, err
	}
	sinks, err := monitoringSinks(settings)
	if err != nil {
		return nil, err
	}
	if args.Providers, err = regionProviders(ctx, settings.Provider, sourceProviderRegions(args, sinks),
		func(region string) []pulumi.Alias { return formerProviders(ctx, args, "source", region) }); err != nil {
		return nil, err
	}
	replicator, err := components.NewSourceReplicator(ctx, "source", args)
	if err != nil {
		return nil, err
	}
	links, err := monitoringLinks(ctx, args, sinks)
	if err != nil {
		return nil, err
	}
	o := contract.SourceOutputs{
		BucketRegions:     map[string]string{},
		AlarmTopicArns:    replicator.AlarmTopicArns,
		ArchiveBucketName: args.Archive.BucketName,
		ArchiveKeyArn:     args.Archive.KeyArn,
	}
	for _, b := range args.Buckets {
		o.ReplicatedBuckets = append(o.ReplicatedBuckets, b.Name)
		o.BucketRegions[b.Name] = regionOr(b.Region, args.Region)
	}
	logBuckets := pulumi.Map{}
	for i, lb := range replicator.LogBuckets {
		b := args.LogBuckets[i]
		o.ReplicatedBuckets = append(o.ReplicatedBuckets, b.Name)
		o.BucketRegions[b.Name] = regionOr(b.Region, args.Region)
		logBuckets[b.Name] = contract.LogBucket(lb.BucketArn, lb.KeyArn, lb.KeyAlias)
	}
	return contract.Publish(&o,
		contract.Computed(&o.ReplicationRoleArn, replicator.RoleArn),
		contract.Computed(&o.BackfillRoleArn, replicator.BackfillRoleArn),
		contract.Computed(&o.LogBuckets, logBuckets),
		contract.Computed(&o.MonitoringLinkArns, links)), nil
}

func regionOr(region, stackRegion string) string {
	if region == "" {
		return stackRegion
	}
	return region
}
