package verify

import (
	"fmt"
	"sort"
	"strings"
)

// Cause is what a replication failure reason most likely means in this project's setup, and the
// docs/aws-requirements.md IDs that explain it.
type Cause struct {
	Meaning string
	Fix     string
	Facts   []string
}

// FailureReasons maps the failureReason values S3 puts in an s3:Replication:OperationFailedReplication
// event and in a Batch Replication completion report (R5.4; the list is AWS's, replication-metrics-
// events.html#replication-failure-codes) to their likely cause here. S3 never returns the reason on
// HeadObject, so verify can only point at it; `verify --explain REASON` prints an entry.
var FailureReasons = map[string]Cause{
	"AssumeRoleNotPermitted": {
		"S3 cannot assume the replication role (or the Batch Operations role).",
		"the role's trust policy must allow s3.amazonaws.com (batchoperations.s3.amazonaws.com for backfill) without conditions; check the role still exists and its name matches the archive's pin",
		[]string{"R1.1", "R1.2", "H6"}},
	"DstBucketNotFound": {
		"The archive bucket named in the replication rule does not exist.",
		"the source stack read an archive that was renamed or removed: check the archive's outputs and run `pulumi up` on the source stack",
		[]string{"R4.3"}},
	"DstBucketInvalidRegion": {
		"The archive bucket is not in the Region the Batch Operations job expects.",
		"run backfill in the source bucket's Region",
		[]string{"H6"}},
	"DstBucketObjectLockConfigMissing": {
		"The source bucket has Object Lock and the archive has none.",
		"turn on log-archive:objectLock in the archive stack",
		[]string{"R4.14"}},
	"DstBucketUnversioned": {
		"Versioning is off on the archive bucket.",
		"the archive must stay versioned; look for who suspended it (the archive's policy never lets sources do it)",
		[]string{"R4.1", "R2.2"}},
	"DstDelObjNotPermitted": {
		"A delete marker could not be replicated: s3:ReplicateDelete is missing.",
		"delete markers replicate only with log-archive:replicateDeleteMarkers; check the archive bucket policy grants s3:ReplicateDelete",
		[]string{"R1.8", "R2.1"}},
	"DstKmsKeyInvalidState": {
		"The archive key is disabled or pending deletion.",
		"enable the archive key (or cancel its deletion) in the archive account",
		[]string{"R5.2"}},
	"DstKmsKeyNotFound": {
		"The replica key in the rule does not exist as given: usually an alias or a key ARN from another account or Region.",
		"ReplicaKmsKeyID must be the archive key's full ARN (archiveKeyArn output); run `pulumi up` on the source stack after the archive",
		[]string{"R4.9", "R5.2"}},
	"DstMultipartCompleteNotPermitted": dstWrite, "DstMultipartInitNotPermitted": dstWrite, "DstMultipartUploadNotPermitted": dstWrite,
	"DstPutAclNotPermitted": {
		"The owner override or ACL could not be written to the replica.",
		"the archive bucket policy must grant s3:ObjectOwnerOverrideToBucketOwner to this account's role",
		[]string{"R1.10", "R2.1", "R2.7"}},
	"DstPutLegalHoldNotPermitted": {
		"A legal hold could not be put on the replica.",
		"the role needs s3:GetObjectLegalHold at the source and the archive must accept it",
		[]string{"R1.7", "H3"}},
	"DstPutObjectNotPermitted": dstWrite,
	"DstPutRetentionNotPermitted": {
		"A retention period could not be put on the replica.",
		"the role needs s3:GetObjectRetention at the source and the archive must accept it",
		[]string{"R1.7", "H3"}},
	"DstPutTaggingNotPermitted": {
		"Object tags could not be replicated.",
		"the role needs s3:ReplicateTags on the archive objects, granted by the archive bucket policy too",
		[]string{"R1.8", "R2.1"}},
	"DstVersionNotFound": {
		"The replica version a metadata change refers to is not in the archive.",
		"replicate the object again with backfill",
		[]string{"R5.9"}},
	"DstObjectHardDeleted": {
		"Batch Replication does not re-replicate an object whose replica version was deleted.",
		"nothing to backfill for that object; find out who deleted archive versions",
		[]string{"H6"}},
	"InitiateReplicationNotPermitted": {
		"The Batch Operations role lacks s3:InitiateReplication on the source objects.",
		"grant s3:InitiateReplication on arn:aws:s3:::BUCKET/* to the role passed to backfill",
		[]string{"H6"}},
	"SrcBucketInvalidRegion": {
		"The source bucket is not in the Region the Batch Operations job runs in.",
		"run backfill with --region set to the source bucket's Region",
		[]string{"H6"}},
	"SrcBucketNotFound": {
		"The source bucket does not exist.",
		"check the bucket name in the source stack",
		nil},
	"SrcBucketReplicationConfigMissing": {
		"The source bucket has no replication configuration.",
		"run `pulumi up` on the source stack",
		[]string{"R4.1"}},
	"SrcGetAclNotPermitted": {
		"The bucket owner cannot read the object or its ACL: it was written by another account without bucket-owner access.",
		"set Object Ownership to BucketOwnerEnforced on the source bucket",
		[]string{"R1.11", "R1.5"}},
	"SrcGetLegalHoldNotPermitted": {
		"The role cannot read the source object's legal hold.",
		"the role needs s3:GetObjectLegalHold on the source objects (granted when the archive has Object Lock)",
		[]string{"R1.7"}},
	"SrcGetObjectNotPermitted":  srcRead,
	"SrcHeadObjectNotPermitted": srcRead,
	"SrcGetRetentionNotPermitted": {
		"The role cannot read the source object's retention.",
		"the role needs s3:GetObjectRetention on the source objects (granted when the archive has Object Lock)",
		[]string{"R1.7"}},
	"SrcGetTaggingNotPermitted": {
		"The role cannot read the source object's tags.",
		"the role needs s3:GetObjectVersionTagging on the source objects",
		[]string{"R1.6"}},
	"SrcKeyNotFound": srcGone, "SrcObjectNotFound": srcGone, "SrcVersionNotFound": srcGone,
	"SrcKmsKeyInvalidState": {
		"The source object's KMS key is disabled or pending deletion.",
		"enable the source key",
		[]string{"R5.2"}},
	"SrcObjectNotEligible": {
		"The object does not match the rule (storage class, tags or prefix).",
		"check the rule's prefix (log-archive:sourceBuckets[].prefix)",
		[]string{"R4.4"}},
	"SrcReplicationNotPending": {
		"The object was already replicated.",
		"nothing to do",
		nil},
}

var (
	dstWrite = Cause{
		"S3 could not write the replica into the archive: the archive bucket policy or key policy does not accept this account's role, or a Deny (SCP, RCP, boundary) stops it.",
		"add this account to log-archive:sourceAccountIds and run `pulumi up` on the archive; check the role's name and path match the archive's pin, and that the role policy grants the replicate actions and the archive key",
		[]string{"R2.1", "R2.4", "R2.5", "R3.2", "R1.8", "R1.14", "R1.15"}}
	srcRead = Cause{
		"The role cannot read the source object: s3:GetObjectVersionForReplication is missing, or it cannot decrypt the object's KMS key.",
		"every key that encrypts the bucket's objects must be in log-archive:sourceBuckets[].kmsKeyArns; a source key with a custom key policy must name the role for kms:Decrypt",
		[]string{"R1.5", "R1.13", "R1.17", "R1.18"}}
	srcGone = Cause{
		"The source object or version was deleted before it replicated.",
		"nothing to replicate; if it happens to logs, look for who deletes them",
		nil}
)

// Explain renders the entry for a failure reason, or says it is unknown and lists the known ones.
func Explain(reason string) (string, bool) {
	c, ok := FailureReasons[reason]
	if !ok { // S3 writes them in CamelCase; a reason typed in another case is the same reason
		for name, cause := range FailureReasons {
			if strings.EqualFold(name, reason) {
				reason, c, ok = name, cause, true
				break
			}
		}
	}
	if !ok {
		names := make([]string, 0, len(FailureReasons))
		for n := range FailureReasons {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Sprintf("%q is not a replication failure reason S3 documents; known reasons:\n  %s\n", reason, strings.Join(names, "\n  ")), false
	}
	return fmt.Sprintf("%s: %s\nfix: %s\nfacts: %s\n", reason, c.Meaning, c.Fix, factList(c.Facts)), true
}

func factList(facts []string) string {
	if len(facts) == 0 {
		return "-"
	}
	return strings.Join(facts, ", ")
}

// likelyFailed is what verify says of a FAILED canary when the rule itself looked right: the reasons
// that fit what it saw, most likely first. The real reason is only in the event or a batch report.
const likelyFailed = "S3 does not say why on HeadObject; the reason is the failureReason of the " +
	"s3:Replication:OperationFailedReplication event (and OperationsFailedReplication counts it). " +
	"The rule looked right, so most likely: DstPutObjectNotPermitted (the archive does not accept this account's role yet: " +
	"is the account in log-archive:sourceAccountIds and the archive deployed? R2.1, R2.4, R3.2), " +
	"SrcGetObjectNotPermitted (the role cannot decrypt the source key: a custom key policy must name the role, R1.13, R1.18), " +
	"AssumeRoleNotPermitted (R1.1, R1.2). Run `verify --explain <failureReason>` for any other. " +
	"S3 never retries a FAILED object (R5.9): after the fix, run backfill"
