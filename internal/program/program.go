// Package program is the Pulumi program of both stack kinds. main.go runs it against the Pulumi engine;
// the offline plan and the tests run the very same function under Pulumi's mock monitor.
package program

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
	"log-archive/internal/awsid"
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
	if err := checkAgainstArchive(settings); err != nil {
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

// checkAgainstArchive reports, with the stack file and key, what only the archive's contract can reveal.
func checkAgainstArchive(s *stackconfig.SourceSettings) error {
	args := s.Args
	var errs stackconfig.Errors
	if dst, src, differ := awsid.DifferentPartitions(args.Archive.Region, args.Region); differ {
		return stackconfig.Errors{&stackconfig.Error{File: s.File, Key: stackconfig.KeyRegion, Value: fmt.Sprintf("%q", args.Region),
			Problem: fmt.Sprintf("is in partition %s, but the archive is in %s (partition %s); S3 does not replicate across partitions", src, args.Archive.Region, dst),
			Fix:     "replicate this account into an archive in partition " + src + ": a destination stack of its own there"}}
	}
	// A named alarm topic serves the alarms of its Region: the Regions of the buckets, and with RTC the
	// archive's, where ReplicationLatency is published. A topic for any other Region would go unused.
	used := slices.Clone(args.Regions())
	if args.ReplicationTimeControl {
		used = append(used, args.Archive.Region)
	}
	for _, region := range slices.Sorted(maps.Keys(args.Alarms.TopicArns)) {
		if !slices.Contains(used, region) {
			errs = append(errs, &stackconfig.Error{File: s.File, Key: stackconfig.KeyAlarms + ".topicArns." + region,
				Value:   fmt.Sprintf("%q", args.Alarms.TopicArns[region]),
				Problem: "names a topic for a Region where this stack has no alarm (its buckets are in " + strings.Join(args.Regions(), ", ") + ")",
				Fix:     "remove it, or correct the Region it is listed under"})
		}
	}
	for i, b := range args.Buckets {
		key := fmt.Sprintf("%s[%d]", stackconfig.KeySourceBuckets, i)
		if b.Name == args.Archive.BucketName {
			errs = append(errs, &stackconfig.Error{File: s.File, Key: key + ".name", Value: fmt.Sprintf("%q", b.Name),
				Problem: "is the archive bucket itself", Fix: "list the source account's own log buckets"})
		}
		if b.ObjectLock && !args.Archive.ObjectLockEnabled {
			errs = append(errs, &stackconfig.Error{File: s.File, Key: key + ".objectLock", Value: "true",
				Problem: "a bucket with Object Lock replicates only into an archive with Object Lock, and this archive has none (R4.14)",
				Fix:     "set log-archive:objectLock in the archive's stack file and deploy it, or replicate this bucket elsewhere"})
		}
	}
	for i, b := range args.LogBuckets {
		if b.Name == args.Archive.BucketName {
			errs = append(errs, &stackconfig.Error{File: s.File, Key: fmt.Sprintf("%s[%d].name", stackconfig.KeyLogBuckets, i),
				Value: fmt.Sprintf("%q", b.Name), Problem: "is the archive bucket itself",
				Fix: "choose another globally unique name for this account's log bucket"})
		}
		if b.ObjectLock != nil && !args.Archive.ObjectLockEnabled {
			errs = append(errs, &stackconfig.Error{File: s.File, Key: fmt.Sprintf("%s[%d].objectLock", stackconfig.KeyLogBuckets, i),
				Value:   fmt.Sprintf("{mode: %s, days: %d}", b.ObjectLock.Mode, b.ObjectLock.Days),
				Problem: "a bucket with Object Lock replicates only into an archive with Object Lock, and this archive has none (R4.14)",
				Fix:     "set log-archive:objectLock in the archive's stack file and deploy it first, or remove objectLock from this log bucket"})
		}
		if err := args.LogBucketArgs(b).CheckPolicySizes(); err != nil {
			errs = append(errs, &stackconfig.Error{File: s.File, Key: fmt.Sprintf("%s[%d].trailNames", stackconfig.KeyLogBuckets, i),
				Value: fmt.Sprintf("(%d trails)", len(b.TrailNames)), Problem: err.Error(),
				Fix: "split the trails across two log buckets"})
		}
	}
	if len(errs) == 0 {
		// IAM names are global to the account, so this stack holds every bucket the account replicates:
		// past the quotas the fix is fewer buckets, fewer keys or shorter names, not a second stack.
		for _, check := range []func(*components.SourceReplicatorArgs) error{components.CheckReplicationRolePolicySize, components.CheckBackfillRolePolicySize} {
			var size *components.RolePolicySizeError
			if err := check(args); errors.As(err, &size) {
				errs = append(errs, &stackconfig.Error{File: s.File, Key: stackconfig.KeySourceBuckets + " and " + stackconfig.KeyLogBuckets,
					Value: fmt.Sprintf("(%d buckets)", size.Buckets), Problem: err.Error(),
					Fix: fmt.Sprintf("list at most %d buckets in this account's stack (the others cannot replicate from this account's one role), "+
						"let fewer KMS keys encrypt them, or give them shorter names", size.Fit)})
				break
			} else if err != nil {
				errs = append(errs, &stackconfig.Error{File: s.File, Key: stackconfig.KeySourceBuckets, Problem: err.Error(), Fix: "see the problem"})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
