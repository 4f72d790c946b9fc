package contract

// RuleID is the ID a source's replicator gives every replication rule into the archive: the source's
// alarms filter the replication metrics by it, and verify finds the rule by it. It is a fact the source
// stack's resources and the tools that read them share, so it lives with the outputs.
func RuleID(archiveBucket string) string { return "log-archive-" + archiveBucket }
