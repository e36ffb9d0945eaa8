
resource {{symbol}} 'Microsoft.IoTOperations/instances/dataflowProfiles/dataflows@{{apiVersion}}' = {
  parent: dataflowProfile
  name: {{name}}
  extendedLocation: {
    name: customLocation.id
    type: 'CustomLocation'
  }
  properties: {{properties}}
}
