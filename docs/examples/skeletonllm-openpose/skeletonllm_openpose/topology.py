"""The BODY_25 layout, from OpenPose's output documentation (doc/02_output.md, POSE_BODY_25_PAIRS_RENDER)."""

from skeletonllm import Topology

# fmt: off
BODY_25 = Topology(
    name="openpose_body25",
    joint_names=(
        "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "MidHip",
        "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
        "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel",
    ),
    edges=(
        (1, 8), (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (10, 11), (8, 12),
        (12, 13), (13, 14), (1, 0), (0, 15), (15, 17), (0, 16), (16, 18), (14, 19), (19, 20), (14, 21),
        (11, 22), (22, 23), (11, 24),
    ),
    dims=2,
    source="CMU-Perceptual-Computing-Lab/openpose doc/02_output.md (BODY_25)",
    groups={
        "head": (0, 15, 16, 17, 18),
        "torso": (1, 8),
        "right_arm": (2, 3, 4),
        "left_arm": (5, 6, 7),
        "right_leg": (9, 10, 11, 22, 23, 24),
        "left_leg": (12, 13, 14, 19, 20, 21),
    },
)
# fmt: on
