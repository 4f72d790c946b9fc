package stackconfig

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Kind says which component a stack builds.
type Kind string

const (
	KindDestination Kind = "destination"
	KindSource      Kind = "source"
)

// The program's own keys (namespace log-archive). Pulumi.yaml declares each with a type and a description;
// a test keeps the two lists equal.
const (
	KeyStackKind = Namespace + ":stackKind"

	KeyArchiveAccountID     = Namespace + ":archiveAccountId"
	KeyArchiveBucketName    = Namespace + ":archiveBucketName"
	KeySourceAccountIDs     = Namespace + ":sourceAccountIds"
	KeyReplicationRoleName  = Namespace + ":replicationRoleName"
	KeyReplicationRolePath  = Namespace + ":replicationRolePath"
	KeyKeyAlias             = Namespace + ":keyAlias"
	KeyKeyAdministratorArns = Namespace + ":keyAdministratorArns"
	KeyObjectLock           = Namespace + ":objectLock"
	KeyLifecycle            = Namespace + ":lifecycle"
	KeyAcceptCloudTrail     = Namespace + ":acceptCloudTrail"

	KeyDestinationStack       = Namespace + ":destinationStack"
	KeySourceAccountID        = Namespace + ":sourceAccountId"
	KeySourceBuckets          = Namespace + ":sourceBuckets"
	KeyLogBuckets             = Namespace + ":logBuckets"
	KeyReplicaStorageClass    = Namespace + ":replicaStorageClass"
	KeyReplicationTimeControl = Namespace + ":replicationTimeControl"
	KeyReplicateDeleteMarkers = Namespace + ":replicateDeleteMarkers"
	KeyReplicationMetrics     = Namespace + ":replicationMetrics"

	KeyTags = Namespace + ":tags"

	// The AWS provider's keys, which the program reads too: the Region everything is created in, and the
	// account guard. Pulumi.yaml cannot declare types for another namespace's keys.
	KeyRegion            = "aws:region"
	KeyAllowedAccountIDs = "aws:allowedAccountIds"
)

// Defaults for optional keys.
const (
	DefaultReplicationRoleName = "log-archive-replication"
	DefaultReplicationRolePath = "/log-archive/"
	DefaultKeyAlias            = "alias/log-archive"
)

// DestinationKeys and SourceKeys are the program's keys by stack kind; CommonKeys apply to both.
var (
	CommonKeys      = []string{KeyStackKind, KeyTags}
	DestinationKeys = []string{
		KeyArchiveAccountID, KeyArchiveBucketName, KeySourceAccountIDs, KeyReplicationRoleName,
		KeyReplicationRolePath, KeyKeyAlias, KeyKeyAdministratorArns, KeyObjectLock, KeyLifecycle, KeyAcceptCloudTrail,
	}
	SourceKeys = []string{
		KeyDestinationStack, KeySourceAccountID, KeySourceBuckets, KeyLogBuckets, KeyReplicaStorageClass,
		KeyReplicationTimeControl, KeyReplicateDeleteMarkers, KeyReplicationMetrics,
	}
)

// ReadKind returns the stack's kind.
func ReadKind(ctx *pulumi.Context) (Kind, error) {
	r := newReader(ctx)
	fix := `set log-archive:stackKind to "destination" for the archive account's stack or "source" for a source account's stack`
	switch k := Kind(r.str(KeyStackKind, true, fix)); k {
	case KindDestination, KindSource:
		return k, nil
	case "":
		return "", r.err()
	default:
		r.fail(KeyStackKind, quote(string(k)), "is not a stack kind", fix)
		return "", r.err()
	}
}

// rejectOtherKindKeys reports keys that belong to the other kind of stack: they would be silently ignored.
func (r *reader) rejectOtherKindKeys(kind Kind, keys []string) {
	for _, k := range keys {
		if v := r.raw(k); v != "" {
			r.fail(k, v, "belongs to the other kind of stack; a "+string(kind)+" stack does not read it",
				"remove it from "+r.file+", or check log-archive:stackKind")
		}
	}
}

// region reads aws:region, the Region every resource of the stack is created in.
func (r *reader) region() string {
	v := r.str(KeyRegion, true, "set aws:region to the Region this stack deploys to, e.g. eu-west-1")
	if v != "" {
		r.check(KeyRegion, v, validateRegion(v), "use a Region code such as eu-west-1 or us-east-2")
	}
	return v
}

// allowedAccounts checks that aws:allowedAccountIds is exactly the stack's account, so a credential for
// any other account fails before anything changes.
func (r *reader) allowedAccounts(account string) {
	fix := `set aws:allowedAccountIds to ["` + account + `"] so a credential for another account fails before any change`
	ids := r.accountIDs(KeyAllowedAccountIDs, true, fix)
	if len(ids) == 0 || account == "" {
		if ids != nil && len(ids) == 0 {
			r.fail(KeyAllowedAccountIDs, "[]", "is empty", fix)
		}
		return
	}
	if len(ids) != 1 || ids[0] != account {
		r.fail(KeyAllowedAccountIDs, jsonList(ids), "must be exactly this stack's account, "+account, fix)
	}
}
