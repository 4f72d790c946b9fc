package policy

// Action lists the component policies and the deployer policy share.

// ArchiveObjectActions is what the archive grants the source roles on bucket/* (R2.1). Owner override is
// included because every rule this program writes sets AccessControlTranslation (R2.7). No bucket-level
// action is granted, PutBucketVersioning above all (R2.2).
var ArchiveObjectActions = []string{
	"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner",
}

// ReplicaKeyActions is what a replication role needs on the archive key (R1.15, R3.2).
var ReplicaKeyActions = []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}
