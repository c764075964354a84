//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;

#[test]
fn policy_follows_risk_and_autonomy() {
    assert_eq!(
        policy_for(Risk::Low, AutonomyLevel::L4),
        Policy::AutoWithVeto
    );
    assert_eq!(
        policy_for(Risk::Low, AutonomyLevel::L3),
        Policy::OneApproval
    );
    assert_eq!(
        policy_for(Risk::Medium, AutonomyLevel::L5),
        Policy::OneApproval
    );
    assert_eq!(
        policy_for(Risk::High, AutonomyLevel::L4),
        Policy::TwoApprovals
    );
    assert_eq!(
        policy_for(Risk::Critical, AutonomyLevel::L1),
        Policy::TwoApprovals
    );
}
