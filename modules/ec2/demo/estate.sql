-- Sample estate for mountaineer_ec2: one import of an AWS region, as a cron
-- job would run it: `aws ec2 describe-vpcs`, `describe-subnets` and
-- `describe-instances` (eu-west-1, trimmed to the fields that matter),
-- merged into one document (jq -s add) and passed to ec2_import().  It
-- makes the VRF "aws prod" with its /16, two subnets, the cluster
-- "aws eu-west-1" and three hosts with their addresses.
SET search_path = mountaineer, public;

SELECT * FROM ec2_import($json$
{
 "Vpcs": [
  {
   "CidrBlock": "10.40.0.0/16",
   "DhcpOptionsId": "dopt-07a1b2c3d4e5f6a7b",
   "State": "available",
   "VpcId": "vpc-07d4c1e2b3a495867",
   "OwnerId": "210987654321",
   "InstanceTenancy": "default",
   "CidrBlockAssociationSet": [
    {
     "AssociationId": "vpc-cidr-assoc-0a1f2e3d4c5b6a798",
     "CidrBlock": "10.40.0.0/16",
     "CidrBlockState": {
      "State": "associated"
     }
    }
   ],
   "IsDefault": false,
   "Tags": [
    {
     "Key": "Name",
     "Value": "aws prod"
    },
    {
     "Key": "CostCenter",
     "Value": "ops"
    }
   ]
  }
 ],
 "Subnets": [
  {
   "AvailabilityZone": "eu-west-1a",
   "AvailabilityZoneId": "euw1-az3",
   "AvailableIpAddressCount": 250,
   "CidrBlock": "10.40.1.0/24",
   "DefaultForAz": false,
   "MapPublicIpOnLaunch": false,
   "State": "available",
   "SubnetId": "subnet-0c1a2b3c4d5e6f701",
   "VpcId": "vpc-07d4c1e2b3a495867",
   "OwnerId": "210987654321",
   "AssignIpv6AddressOnCreation": false,
   "Ipv6CidrBlockAssociationSet": [],
   "Tags": [
    {
     "Key": "Name",
     "Value": "aws prod a"
    }
   ],
   "SubnetArn": "arn:aws:ec2:eu-west-1:210987654321:subnet/subnet-0c1a2b3c4d5e6f701"
  },
  {
   "AvailabilityZone": "eu-west-1b",
   "AvailabilityZoneId": "euw1-az1",
   "AvailableIpAddressCount": 250,
   "CidrBlock": "10.40.2.0/24",
   "DefaultForAz": false,
   "MapPublicIpOnLaunch": false,
   "State": "available",
   "SubnetId": "subnet-0c1a2b3c4d5e6f702",
   "VpcId": "vpc-07d4c1e2b3a495867",
   "OwnerId": "210987654321",
   "AssignIpv6AddressOnCreation": false,
   "Ipv6CidrBlockAssociationSet": [],
   "Tags": [
    {
     "Key": "Name",
     "Value": "aws prod b"
    }
   ],
   "SubnetArn": "arn:aws:ec2:eu-west-1:210987654321:subnet/subnet-0c1a2b3c4d5e6f702"
  }
 ],
 "Reservations": [
  {
   "Groups": [],
   "OwnerId": "210987654321",
   "ReservationId": "r-0aa1bb2cc3dd4ee5f",
   "Instances": [
    {
     "AmiLaunchIndex": 0,
     "ImageId": "ami-0d64bb532e0502c46",
     "InstanceId": "i-0d1e2f3a4b5c6d701",
     "InstanceType": "m6i.large",
     "LaunchTime": "2026-11-24T09:30:12+00:00",
     "Placement": {
      "AvailabilityZone": "eu-west-1a",
      "GroupName": "",
      "Tenancy": "default"
     },
     "PrivateDnsName": "ip-10-40-1-21.eu-west-1.compute.internal",
     "PrivateIpAddress": "10.40.1.21",
     "State": {
      "Code": 16,
      "Name": "running"
     },
     "SubnetId": "subnet-0c1a2b3c4d5e6f701",
     "VpcId": "vpc-07d4c1e2b3a495867",
     "Architecture": "x86_64",
     "NetworkInterfaces": [
      {
       "Attachment": {
        "DeviceIndex": 0,
        "Status": "attached"
       },
       "NetworkInterfaceId": "eni-0f1e2d3c4b5a69701",
       "OwnerId": "210987654321",
       "PrivateIpAddress": "10.40.1.21",
       "PrivateIpAddresses": [
        {
         "Association": {
          "IpOwnerId": "amazon",
          "PublicDnsName": "",
          "PublicIp": "52.48.10.21"
         },
         "PrivateDnsName": "ip-10-40-1-21.eu-west-1.compute.internal",
         "PrivateIpAddress": "10.40.1.21",
         "Primary": true
        }
       ],
       "Ipv6Addresses": [],
       "SubnetId": "subnet-0c1a2b3c4d5e6f701",
       "VpcId": "vpc-07d4c1e2b3a495867",
       "Status": "in-use"
      }
     ],
     "Tags": [
      {
       "Key": "Name",
       "Value": "aws-web-1"
      },
      {
       "Key": "Role",
       "Value": "web"
      }
     ],
     "PlatformDetails": "Linux/UNIX",
     "VirtualizationType": "hvm"
    },
    {
     "AmiLaunchIndex": 0,
     "ImageId": "ami-0d64bb532e0502c46",
     "InstanceId": "i-0d1e2f3a4b5c6d702",
     "InstanceType": "m6i.large",
     "LaunchTime": "2026-11-24T09:30:12+00:00",
     "Placement": {
      "AvailabilityZone": "eu-west-1b",
      "GroupName": "",
      "Tenancy": "default"
     },
     "PrivateDnsName": "ip-10-40-2-21.eu-west-1.compute.internal",
     "PrivateIpAddress": "10.40.2.21",
     "State": {
      "Code": 16,
      "Name": "running"
     },
     "SubnetId": "subnet-0c1a2b3c4d5e6f702",
     "VpcId": "vpc-07d4c1e2b3a495867",
     "Architecture": "x86_64",
     "NetworkInterfaces": [
      {
       "Attachment": {
        "DeviceIndex": 0,
        "Status": "attached"
       },
       "NetworkInterfaceId": "eni-0f1e2d3c4b5a69702",
       "OwnerId": "210987654321",
       "PrivateIpAddress": "10.40.2.21",
       "PrivateIpAddresses": [
        {
         "Association": {
          "IpOwnerId": "amazon",
          "PublicDnsName": "",
          "PublicIp": "52.48.10.22"
         },
         "PrivateDnsName": "ip-10-40-2-21.eu-west-1.compute.internal",
         "PrivateIpAddress": "10.40.2.21",
         "Primary": true
        }
       ],
       "Ipv6Addresses": [],
       "SubnetId": "subnet-0c1a2b3c4d5e6f702",
       "VpcId": "vpc-07d4c1e2b3a495867",
       "Status": "in-use"
      }
     ],
     "Tags": [
      {
       "Key": "Name",
       "Value": "aws-web-2"
      },
      {
       "Key": "Role",
       "Value": "web"
      }
     ],
     "PlatformDetails": "Linux/UNIX",
     "VirtualizationType": "hvm"
    }
   ]
  },
  {
   "Groups": [],
   "OwnerId": "210987654321",
   "ReservationId": "r-0aa1bb2cc3dd4ee60",
   "Instances": [
    {
     "AmiLaunchIndex": 0,
     "ImageId": "ami-0d64bb532e0502c46",
     "InstanceId": "i-0d1e2f3a4b5c6d703",
     "InstanceType": "r6i.xlarge",
     "LaunchTime": "2026-11-24T09:30:12+00:00",
     "Placement": {
      "AvailabilityZone": "eu-west-1a",
      "GroupName": "",
      "Tenancy": "default"
     },
     "PrivateDnsName": "ip-10-40-1-50.eu-west-1.compute.internal",
     "PrivateIpAddress": "10.40.1.50",
     "State": {
      "Code": 16,
      "Name": "running"
     },
     "SubnetId": "subnet-0c1a2b3c4d5e6f701",
     "VpcId": "vpc-07d4c1e2b3a495867",
     "Architecture": "x86_64",
     "NetworkInterfaces": [
      {
       "Attachment": {
        "DeviceIndex": 0,
        "Status": "attached"
       },
       "NetworkInterfaceId": "eni-0f1e2d3c4b5a69703",
       "OwnerId": "210987654321",
       "PrivateIpAddress": "10.40.1.50",
       "PrivateIpAddresses": [
        {
         "PrivateDnsName": "ip-10-40-1-50.eu-west-1.compute.internal",
         "PrivateIpAddress": "10.40.1.50",
         "Primary": true
        }
       ],
       "Ipv6Addresses": [],
       "SubnetId": "subnet-0c1a2b3c4d5e6f701",
       "VpcId": "vpc-07d4c1e2b3a495867",
       "Status": "in-use"
      }
     ],
     "Tags": [
      {
       "Key": "Name",
       "Value": "aws-db-1"
      },
      {
       "Key": "Role",
       "Value": "db"
      }
     ],
     "PlatformDetails": "Linux/UNIX",
     "VirtualizationType": "hvm"
    }
   ]
  }
 ]
}
$json$);
