-- Sample estate for mountaineer_k8s: the Kubernetes cluster k8s-ams1 of
-- the hosts estate, imported as `kubectl get nodes,pods -A -o json` prints
-- it (trimmed to the fields the import reads).  Its three nodes are the
-- VMs k8s-w1..3.prod.example.net already in the inventory: the import
-- adopts those hosts and their cluster memberships instead of making new
-- ones.  kube-proxy runs with hostNetwork, on its node's address 10.0.2.4.
-- mountaineer_k8s came with 1.5: test/upgrade.sh loads this file only
-- into releases that have it.
SET search_path = mountaineer, public;

SELECT * FROM k8s_import('k8s-ams1', $kubectl$
{
 "apiVersion": "v1",
 "items": [
  {
   "apiVersion": "v1",
   "kind": "Node",
   "metadata": {
    "creationTimestamp": "2026-10-05T09:11:00Z",
    "labels": {
     "kubernetes.io/arch": "amd64",
     "kubernetes.io/hostname": "k8s-w1.prod.example.net",
     "kubernetes.io/os": "linux",
     "topology.kubernetes.io/zone": "ams1-a01",
     "node-role.kubernetes.io/control-plane": ""
    },
    "name": "k8s-w1.prod.example.net",
    "resourceVersion": "9011",
    "uid": "3b8f0c1e-6a2d-4e7f-9b10-c2d3e4f5a601"
   },
   "spec": {
    "podCIDR": "10.244.0.0/24",
    "podCIDRs": [
     "10.244.0.0/24"
    ],
    "taints": [
     {
      "effect": "NoSchedule",
      "key": "node-role.kubernetes.io/control-plane"
     }
    ]
   },
   "status": {
    "addresses": [
     {
      "address": "10.0.2.4",
      "type": "InternalIP"
     },
     {
      "address": "k8s-w1.prod.example.net",
      "type": "Hostname"
     }
    ],
    "conditions": [
     {
      "lastHeartbeatTime": "2026-12-01T22:00:00Z",
      "lastTransitionTime": "2026-10-05T09:12:00Z",
      "message": "kubelet is posting ready status",
      "reason": "KubeletReady",
      "status": "True",
      "type": "Ready"
     }
    ],
    "nodeInfo": {
     "containerRuntimeVersion": "containerd://1.7.19",
     "kernelVersion": "6.1.0-26-amd64",
     "kubeletVersion": "v1.30.4",
     "operatingSystem": "linux",
     "osImage": "Debian GNU/Linux 12 (bookworm)"
    }
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Node",
   "metadata": {
    "creationTimestamp": "2026-10-05T09:12:00Z",
    "labels": {
     "kubernetes.io/arch": "amd64",
     "kubernetes.io/hostname": "k8s-w2.prod.example.net",
     "kubernetes.io/os": "linux",
     "topology.kubernetes.io/zone": "ams1-a02"
    },
    "name": "k8s-w2.prod.example.net",
    "resourceVersion": "9021",
    "uid": "3b8f0c1e-6a2d-4e7f-9b10-c2d3e4f5a602"
   },
   "spec": {
    "podCIDR": "10.244.1.0/24",
    "podCIDRs": [
     "10.244.1.0/24"
    ]
   },
   "status": {
    "addresses": [
     {
      "address": "10.0.2.5",
      "type": "InternalIP"
     },
     {
      "address": "k8s-w2.prod.example.net",
      "type": "Hostname"
     }
    ],
    "conditions": [
     {
      "lastHeartbeatTime": "2026-12-01T22:00:00Z",
      "lastTransitionTime": "2026-10-05T09:12:00Z",
      "message": "kubelet is posting ready status",
      "reason": "KubeletReady",
      "status": "True",
      "type": "Ready"
     }
    ],
    "nodeInfo": {
     "containerRuntimeVersion": "containerd://1.7.19",
     "kernelVersion": "6.1.0-26-amd64",
     "kubeletVersion": "v1.30.4",
     "operatingSystem": "linux",
     "osImage": "Debian GNU/Linux 12 (bookworm)"
    }
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Node",
   "metadata": {
    "creationTimestamp": "2026-10-05T09:13:00Z",
    "labels": {
     "kubernetes.io/arch": "amd64",
     "kubernetes.io/hostname": "k8s-w3.prod.example.net",
     "kubernetes.io/os": "linux",
     "topology.kubernetes.io/zone": "ams1-a03"
    },
    "name": "k8s-w3.prod.example.net",
    "resourceVersion": "9031",
    "uid": "3b8f0c1e-6a2d-4e7f-9b10-c2d3e4f5a603"
   },
   "spec": {
    "podCIDR": "10.244.2.0/24",
    "podCIDRs": [
     "10.244.2.0/24"
    ]
   },
   "status": {
    "addresses": [
     {
      "address": "10.0.2.6",
      "type": "InternalIP"
     },
     {
      "address": "k8s-w3.prod.example.net",
      "type": "Hostname"
     }
    ],
    "conditions": [
     {
      "lastHeartbeatTime": "2026-12-01T22:00:00Z",
      "lastTransitionTime": "2026-10-05T09:12:00Z",
      "message": "kubelet is posting ready status",
      "reason": "KubeletReady",
      "status": "True",
      "type": "Ready"
     }
    ],
    "nodeInfo": {
     "containerRuntimeVersion": "containerd://1.7.19",
     "kernelVersion": "6.1.0-26-amd64",
     "kubeletVersion": "v1.30.4",
     "operatingSystem": "linux",
     "osImage": "Debian GNU/Linux 12 (bookworm)"
    }
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Pod",
   "metadata": {
    "creationTimestamp": "2026-11-30T08:00:00Z",
    "labels": {
     "k8s-app": "kube-proxy"
    },
    "name": "kube-proxy-7xq2d",
    "namespace": "kube-system",
    "uid": "6c1d2e3f-4a5b-4c6d-8e7f-000000000a01",
    "ownerReferences": [
     {
      "apiVersion": "apps/v1",
      "controller": true,
      "kind": "DaemonSet",
      "name": "kube-proxy",
      "uid": "5a0e1f2d-3c4b-4a59-8687-000000000010"
     }
    ]
   },
   "spec": {
    "containers": [
     {
      "image": "registry.k8s.io/kube-proxy:v1.30.4",
      "name": "kube-proxy"
     }
    ],
    "nodeName": "k8s-w1.prod.example.net",
    "hostNetwork": true
   },
   "status": {
    "phase": "Running",
    "podIP": "10.0.2.4",
    "podIPs": [
     {
      "ip": "10.0.2.4"
     }
    ],
    "hostIP": "10.0.2.4"
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Pod",
   "metadata": {
    "creationTimestamp": "2026-11-30T08:00:00Z",
    "labels": {
     "k8s-app": "kube-dns"
    },
    "name": "coredns-7db6d8ff4d-wl5kd",
    "namespace": "kube-system",
    "uid": "6c1d2e3f-4a5b-4c6d-8e7f-000000000a02",
    "ownerReferences": [
     {
      "apiVersion": "apps/v1",
      "controller": true,
      "kind": "ReplicaSet",
      "name": "coredns-7db6d8ff4d",
      "uid": "5a0e1f2d-3c4b-4a59-8687-000000000018"
     }
    ]
   },
   "spec": {
    "containers": [
     {
      "image": "registry.k8s.io/coredns/coredns:v1.11.1",
      "name": "coredns"
     }
    ],
    "nodeName": "k8s-w2.prod.example.net"
   },
   "status": {
    "phase": "Running",
    "podIP": "10.244.1.3",
    "podIPs": [
     {
      "ip": "10.244.1.3"
     }
    ],
    "hostIP": "10.0.2.5"
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Pod",
   "metadata": {
    "creationTimestamp": "2026-11-30T08:00:00Z",
    "labels": {
     "app": "api"
    },
    "name": "api-5f7c9d8b6-h2kzp",
    "namespace": "shop",
    "uid": "6c1d2e3f-4a5b-4c6d-8e7f-000000000a03",
    "ownerReferences": [
     {
      "apiVersion": "apps/v1",
      "controller": true,
      "kind": "ReplicaSet",
      "name": "api-5f7c9d8b6",
      "uid": "5a0e1f2d-3c4b-4a59-8687-000000000013"
     }
    ]
   },
   "spec": {
    "containers": [
     {
      "image": "registry.example.net/shop/api:4.2.0",
      "name": "api"
     }
    ],
    "nodeName": "k8s-w2.prod.example.net"
   },
   "status": {
    "phase": "Running",
    "podIP": "10.244.1.17",
    "podIPs": [
     {
      "ip": "10.244.1.17"
     }
    ],
    "hostIP": "10.0.2.5"
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Pod",
   "metadata": {
    "creationTimestamp": "2026-11-30T08:00:00Z",
    "labels": {
     "app": "api"
    },
    "name": "api-5f7c9d8b6-q8tmv",
    "namespace": "shop",
    "uid": "6c1d2e3f-4a5b-4c6d-8e7f-000000000a04",
    "ownerReferences": [
     {
      "apiVersion": "apps/v1",
      "controller": true,
      "kind": "ReplicaSet",
      "name": "api-5f7c9d8b6",
      "uid": "5a0e1f2d-3c4b-4a59-8687-000000000013"
     }
    ]
   },
   "spec": {
    "containers": [
     {
      "image": "registry.example.net/shop/api:4.2.0",
      "name": "api"
     }
    ],
    "nodeName": "k8s-w3.prod.example.net"
   },
   "status": {
    "phase": "Running",
    "podIP": "10.244.2.21",
    "podIPs": [
     {
      "ip": "10.244.2.21"
     }
    ],
    "hostIP": "10.0.2.6"
   }
  },
  {
   "apiVersion": "v1",
   "kind": "Pod",
   "metadata": {
    "creationTimestamp": "2026-11-30T08:00:00Z",
    "labels": {
     "app": "db"
    },
    "name": "db-0",
    "namespace": "shop",
    "uid": "6c1d2e3f-4a5b-4c6d-8e7f-000000000a05",
    "ownerReferences": [
     {
      "apiVersion": "apps/v1",
      "controller": true,
      "kind": "StatefulSet",
      "name": "db",
      "uid": "5a0e1f2d-3c4b-4a59-8687-000000000002"
     }
    ]
   },
   "spec": {
    "containers": [
     {
      "image": "postgres:16.4",
      "name": "postgres"
     }
    ],
    "nodeName": "k8s-w3.prod.example.net"
   },
   "status": {
    "phase": "Running",
    "podIP": "10.244.2.5",
    "podIPs": [
     {
      "ip": "10.244.2.5"
     }
    ],
    "hostIP": "10.0.2.6"
   }
  }
 ],
 "kind": "List",
 "metadata": {
  "resourceVersion": ""
 }
}
$kubectl$);
