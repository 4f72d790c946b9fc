// Package contract is the stacks' outputs: what the archive stack publishes for its sources, and what a
// source stack publishes for verify, backfill and the people who point services at its log buckets. Each
// output is one field of ArchiveOutputs or SourceOutputs. Publish exports a struct; Parse reads one back
// from a StackReference, `pulumi stack output --json` or the offline plan; docs/contract.md is generated
// from the fields, their tags and their comments (`go generate ./...`). Adding an output is one field.
//
// Tags: output is the name, then ",required" when Parse refuses outputs without it: every stack of that
// kind has published it since contract version 1. The others are optional: newer outputs, which a stack
// deployed before them lacks, or outputs for people. example is docs/contract.md's example; shape is how
// an error names the expected type where "a list" or "a map" would say too little. A field's comment is
// what the output is for, docs/contract.md's last column.
package contract

// Version changes when an output changes meaning; a source stack refuses a version it does not know
// instead of guessing.
const Version = 1

// ArchiveOutputs are the archive (destination) stack's outputs: the contract every source stack reads
// through a StackReference named by log-archive:destinationStack.
type ArchiveOutputs struct {
	// A source refuses a version it does not know.
	ContractVersion int `output:"contractVersion,required" example:"1"`
	// The replication rule's `Account`, for the owner override [R2.7].
	AccountID string `output:"archiveAccountId,required" example:"\"111111111111\""`
	// `kms:ViaService` on the archive key [R1.14].
	Region string `output:"archiveRegion,required" example:"\"eu-west-1\""`
	// The replication target, in the role policy.
	BucketName string `output:"archiveBucketName,required" example:"\"acme-log-archive-eu-west-1\""`
	// The replication rule's destination.
	BucketArn string `output:"archiveBucketArn,required" example:"\"arn:aws:s3:::acme-log-archive-eu-west-1\""`
	// `ReplicaKmsKeyID`: the full key ARN, never an alias [R4.9].
	KeyArn string `output:"archiveKeyArn,required" example:"\"arn:aws:kms:eu-west-1:111111111111:key/…\""`
	// For people.
	KeyAlias string `output:"archiveKeyAlias" example:"\"alias/log-archive\""`
	// A source bucket with Object Lock needs it [R4.14]; the role reads retention whenever it is on [R1.7].
	ObjectLockEnabled bool `output:"archiveObjectLockEnabled,required" example:"true"`
	// The role every source creates, which the archive pins [R2.4].
	ReplicationRoleName string `output:"replicationRoleName,required" example:"\"log-archive-replication\""`
	// Its IAM path.
	ReplicationRolePath string `output:"replicationRolePath,required" example:"\"/log-archive/\""`
	// The `aws:PrincipalArn` the archive pins.
	ReplicationRoleArnPattern string `output:"replicationRoleArnPattern" example:"\"arn:aws:iam::*:role/log-archive/log-archive-replication\""`
	// A source checks it is admitted.
	SourceAccountIDs []string `output:"sourceAccountIds,required" example:"[\"222222222222\",\"333333333333\"]"`
	// A source outside the list is admitted through its organization [R2.12] ("" when none; older
	// archives lack it).
	SourceOrganizationID string `output:"sourceOrganizationId" example:"\"\" or \"o-a1b2c3d4e5\""`
	// The OUs, when only some of the organization's are admitted ([] when all are, or none).
	SourceOrganizationPaths []string `output:"sourceOrganizationPaths" example:"[]"`
	// The archive's OAM sink in each Region of its fleet view, which a source with
	// `log-archive:monitoring` links to ({} when the fleet view is off; older archives lack it) [M1].
	MonitoringSinkArns map[string]string `output:"monitoringSinkArns" shape:"a map of Regions to OAM sink ARNs" example:"{\"eu-west-1\":\"arn:aws:oam:eu-west-1:111111111111:sink/…\"}"`
}

// SourceOutputs are a source stack's outputs.
type SourceOutputs struct {
	// The role S3 replicates as; `verify` takes the source account from it.
	ReplicationRoleArn string `output:"replicationRoleArn,required" example:"\"arn:aws:iam::222222222222:role/log-archive/log-archive-replication\""`
	// The role S3 Batch Replication jobs run as: `backfill`'s default `--role-arn` [H6].
	BackfillRoleArn string `output:"backfillRoleArn" example:"\"arn:aws:iam::222222222222:role/log-archive/source-backfill-…\""`
	// Every bucket the stack replicates: what `verify` checks and `backfill` accepts.
	ReplicatedBuckets []string `output:"replicatedBuckets,required" example:"[\"trail-logs\",\"flow-logs\"]"`
	// Each bucket's Region (a stack's buckets may be in several): where `verify` and `backfill` call S3.
	BucketRegions map[string]string `output:"bucketRegions" shape:"a map of bucket names to Regions" example:"{\"trail-logs\":\"us-east-2\"}"`
	// Each Region's alarm topic, to subscribe to ({} when alarms are off).
	AlarmTopicArns map[string]string `output:"alarmTopicArns" shape:"a map of Regions to topic ARNs" example:"{\"us-east-2\":\"arn:aws:sns:us-east-2:222222222222:log-archive-replication-alarms\"}"`
	// The archive bucket the rules replicate into; `verify` checks it is still the archive's.
	ArchiveBucketName string `output:"archiveBucketName,required" example:"\"acme-log-archive-eu-west-1\""`
	// The key the replicas are encrypted under; `verify` checks it is still the archive's [R4.9].
	ArchiveKeyArn string `output:"archiveKeyArn,required" example:"\"arn:aws:kms:eu-west-1:111111111111:key/…\""`
	// For each log bucket the stack created, what the services are pointed at: its `bucketArn`, `keyArn`
	// and `keyAlias` (`keyArn` is what `adoptKeyArn` takes).
	LogBuckets map[string]LogBucketOutputs `output:"logBuckets" shape:"a map of bucket names to {bucketArn, keyArn, keyAlias}" example:"{\"trail-logs\":{\"bucketArn\":…}}"`
	// This account's OAM link to the archive's sink in each Region ({} without the fleet view) [M1].
	MonitoringLinkArns map[string]string `output:"monitoringLinkArns" shape:"a map of Regions to OAM link ARNs" example:"{\"eu-west-1\":\"arn:aws:oam:eu-west-1:222222222222:link/…\"}"`
}

// LogBucketOutputs is one log bucket of SourceOutputs.LogBuckets.
type LogBucketOutputs struct {
	BucketArn string `json:"bucketArn"`
	KeyArn    string `json:"keyArn"`
	KeyAlias  string `json:"keyAlias"`
}
