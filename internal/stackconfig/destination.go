package stackconfig

import (
	"encoding/json"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/components"
)

// objectLockConfig is the shape of log-archive:objectLock.
type objectLockConfig struct {
	Mode string `json:"mode"`
	Days int    `json:"days"`
}

// organizationConfig is the shape of log-archive:sourceOrganization.
type organizationConfig struct {
	ID    string   `json:"id"`
	Paths []string `json:"paths"`
}

// lifecycleConfig is the shape of log-archive:lifecycle.
type lifecycleConfig struct {
	NoncurrentTransitionDays         int    `json:"noncurrentTransitionDays"`
	NoncurrentTransitionStorageClass string `json:"noncurrentTransitionStorageClass"`
	NoncurrentExpirationDays         int    `json:"noncurrentExpirationDays"`
}

// DestinationSettings is the archive stack's configuration: the archive's arguments and its fleet view.
type DestinationSettings struct {
	Args       *components.DestinationArchiveArgs
	Monitoring Monitoring
	File       string
	// Provider is every setting of the stack's default AWS provider but its Region, by the provider's
	// input names: what the providers of the fleet view's other Regions are built from.
	Provider pulumi.Map
}

// LoadDestinationSettings reads the archive stack's configuration, the fleet view included.
func LoadDestinationSettings(ctx *pulumi.Context) (*DestinationSettings, error) {
	r := newReader(ctx)
	r.rejectOtherKindKeys(KindDestination, SourceKeys)
	r.rejectUnknownKeys(ctx)
	args := &components.DestinationArchiveArgs{
		Region:              r.region(),
		ReplicationRoleName: DefaultReplicationRoleName,
		ReplicationRolePath: DefaultReplicationRolePath,
		KeyAlias:            DefaultKeyAlias,
	}

	args.AccountID = r.str(KeyArchiveAccountID, true, `set log-archive:archiveAccountId to the 12-digit ID of the archive account, in quotes`)
	args.BucketName = r.str(KeyArchiveBucketName, true, "set log-archive:archiveBucketName to a globally unique S3 bucket name")
	// Not required: an archive can be stood up before its first source account is known.
	args.SourceAccountIDs = r.accountIDs(KeySourceAccountIDs, false, "")

	var org organizationConfig
	if r.object(KeySourceOrganization, &org, "{id: o-a1b2c3d4e5, paths: [o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/]}") {
		args.SourceOrganization = &components.SourceOrganization{ID: org.ID, Paths: org.Paths}
	}
	// R2.13: the fallback for an archive whose "*" grant Access Analyzer objects to (docs/public-access.md).
	if v := r.raw(KeySourcePrincipals); v != "" {
		args.SourcePrincipals = components.SourcePrincipalMode(v)
	}
	if v := r.raw(KeyReplicationRoleName); v != "" {
		args.ReplicationRoleName = v
	}
	if v := r.raw(KeyReplicationRolePath); v != "" {
		args.ReplicationRolePath = v
	}
	if v := r.raw(KeyKeyAlias); v != "" {
		args.KeyAlias = v
	}
	if v := r.raw(KeyKeyAdministratorArns); v != "" {
		if err := json.Unmarshal([]byte(v), &args.KeyAdministratorArns); err != nil {
			r.fail(KeyKeyAdministratorArns, v, "is not a list of strings", `write a YAML list of IAM ARNs, e.g. ["arn:aws:iam::111111111111:role/SecurityAdmin"]`)
		}
	}
	var ol objectLockConfig
	if r.object(KeyObjectLock, &ol, "{mode: GOVERNANCE or COMPLIANCE, days: N}") {
		args.ObjectLock = &components.ObjectLockRetention{Mode: ol.Mode, Days: ol.Days}
	}
	var lc lifecycleConfig
	if r.object(KeyLifecycle, &lc, "{noncurrentTransitionDays: N, noncurrentTransitionStorageClass: GLACIER, noncurrentExpirationDays: N}") {
		args.Lifecycle = &components.NoncurrentVersionLifecycle{
			TransitionDays: lc.NoncurrentTransitionDays, TransitionStorageClass: lc.NoncurrentTransitionStorageClass,
			ExpirationDays: lc.NoncurrentExpirationDays,
		}
	}

	// C1: creating a trail into a bucket with an S3 Bucket Key needs kms:Decrypt, which the archive key
	// grants no source account, so trails straight into the archive were expected to fail. The option is
	// gone; the key stays declared so the refusal can say what to do instead.
	if r.boolean(KeyAcceptCloudTrail, false) {
		r.fail(KeyAcceptCloudTrail, "true", "is no longer supported: trails cannot be created into the archive, whose S3 Bucket Key needs kms:Decrypt the archive grants no source account (C1)",
			"remove it, and point each account's trail at a log bucket in that account (log-archive:logBuckets with cloudtrail in services), which replicates into the archive. Trails that deliver into the archive today stop when this stack is updated: move them first")
	}
	args.Tags = r.tags()
	// The rules are the component's; the problems come back under the stack file's keys.
	r.component(args.ValidateFields(), destinationFields)
	if args.AccountID != "" && !r.reported(KeyArchiveAccountID) {
		r.allowedAccounts(args.AccountID)
	}
	settings := &DestinationSettings{Args: args, File: r.file, Provider: r.awsProviderSettings(ctx),
		Monitoring: r.monitoring(KindDestination, args.Region)}
	if m := settings.Monitoring; m.Enabled {
		fleet := &components.FleetMonitoringArgs{AccountID: args.AccountID, ArchiveRegion: args.Region, ArchiveBucket: args.BucketName,
			Regions: m.Regions, SourceAccountIDs: args.SourceAccountIDs, SourceOrganization: args.SourceOrganization,
			TopicArns: m.TopicArns, Tags: args.Tags}
		r.component(fleet.ValidateFields(), fleetFields)
	}

	if err := r.err(); err != nil {
		return nil, err
	}
	// Every value is valid; what is left is whether the policies fit their AWS limits, and if not, which
	// list to shorten.
	r.component(components.CheckArchivePolicySizes(args), destinationFields)
	if err := r.err(); err != nil {
		return nil, err
	}
	return settings, nil
}

func (r *reader) tags() map[string]string {
	var tags map[string]string
	r.object(KeyTags, &tags, `a map of strings, e.g. {team: security, cost-center: "1234"}`)
	return tags
}

func jsonList(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}
