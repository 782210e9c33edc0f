# Run with python3 to write tenants.csv, organizations.csv and labels.csv beside this file.
# Builds the labelled matching set: tenants (as Entra names them), organizations (as a PSA
# names them) with distractors, and which organization is right for each tenant.
import csv, random
random.seed(7)
# (organization name, organization domains, tenant display name, tenant verified domains, distractor organizations)
E = [
 ("Contoso Ltd", "contoso.com", "CONTOSO LIMITED", "contoso.onmicrosoft.com", ["Contoso Pharma", "Contosa Logistics"]),
 ("Smith & Sons Plumbing", "", "Smith and Sons Plumbing LLC", "smithsonsplumbing.onmicrosoft.com", ["Smith Plumbing", "Smyth & Sons Roofing"]),
 ("Smith Plumbing", "smithplumbing.com", "Smith Plumbing Inc.", "smithplumbing.onmicrosoft.com;smithplumbing.com", []),
 ("Fabrikam Dental", "fabrikamdental.com", "Fabrikam Dental Group", "fabrikamdental.onmicrosoft.com", ["Fabrikam Dental Lab", "Smile Dental"]),
 ("Northwind Traders", "northwindtraders.com", "northwindtraders.com", "northwindtraders.onmicrosoft.com;northwindtraders.com", ["Northwind Health", "Southwind Traders"]),
 ("Tailspin Toys", "tailspintoys.com", "Tailspin Toys Inc", "tailspintoys.onmicrosoft.com", ["Tailwind Toys"]),
 ("Müller Bäckerei GmbH", "mueller-baeckerei.de", "Mueller Baeckerei", "muellerbaeckerei.onmicrosoft.com", ["Müller Metzgerei GmbH", "Bäckerei Schmidt"]),
 ("Société Générale de Café SARL", "sgcafe.fr", "Societe Generale de Cafe", "sgcafe.onmicrosoft.com", ["Société Générale de Thé"]),
 ("Café Crème S.A.", "", "CAFE CREME SA", "cafecreme.onmicrosoft.com", ["Café Noir S.A."]),
 ("Jansen Bouw B.V.", "jansenbouw.nl", "Jansen Bouw", "jansenbouw.onmicrosoft.com", ["Janssen Bouwmaterialen B.V.", "Jansen Transport B.V."]),
 ("Bouwbedrijf De Vries N.V.", "devriesbouw.nl", "De Vries Bouwbedrijf", "devriesbouw.onmicrosoft.com", ["De Vries Installatie"]),
 ("Nordic Fisk AB", "nordicfisk.se", "Nordic Fisk", "nordicfisk.onmicrosoft.com", ["Nordic Frakt AB"]),
 ("Fjellstrand AS", "fjellstrand.no", "Fjellstrand", "fjellstrand.onmicrosoft.com", ["Fjellheim AS"]),
 ("Kivi ja Puu Oy", "kivipuu.fi", "Kivi & Puu", "kivipuu.onmicrosoft.com", ["Kivi Rakennus Oy"]),
 ("Hansen & Jensen ApS", "hansenjensen.dk", "Hansen og Jensen", "hansenjensen.onmicrosoft.com", ["Hansen Transport ApS"]),
 ("Budimex Sp. z o.o.", "budimex-sp.pl", "Budimex", "budimexsp.onmicrosoft.com", ["Budmat Sp. z o.o."]),
 ("Novák a syn s.r.o.", "novakasyn.cz", "Novak a Syn", "novakasyn.onmicrosoft.com", ["Novák Stavby s.r.o."]),
 ("Ferreira & Filhos Lda", "ferreirafilhos.pt", "Ferreira e Filhos", "ferreirafilhos.onmicrosoft.com", ["Ferreira Transportes Lda"]),
 ("García y López S.L.", "garcialopez.es", "Garcia Lopez SL", "garcialopez.onmicrosoft.com", ["García Hermanos S.L."]),
 ("Rossi e Bianchi S.r.l.", "rossibianchi.it", "ROSSI & BIANCHI SRL", "rossibianchi.onmicrosoft.com", ["Rossi Costruzioni S.p.A."]),
 ("Costruzioni Moretti S.p.A.", "moretti-costruzioni.it", "Moretti Costruzioni", "moretticostruzioni.onmicrosoft.com", ["Moretti Trasporti"]),
 ("Yamamoto Kogyo Kabushiki Kaisha", "yamamoto-kogyo.jp", "Yamamoto Kogyo K.K.", "yamamotokogyo.onmicrosoft.com", ["Yamada Kogyo"]),
 ("Tanaka Trading Co., Ltd.", "tanaka-trading.co.jp", "Tanaka Trading", "tanakatrading.onmicrosoft.com", ["Tanaka Logistics Co., Ltd."]),
 ("Acme International Services", "acme-intl.com", "ACME Intl Svcs", "acmeintl.onmicrosoft.com", ["Acme Plumbing", "Acme Dental"]),
 ("Blue Yonder Airlines", "blueyonderairlines.com", "Blue Yonder Airline", "blueyonder.onmicrosoft.com", ["Blue Sky Airlines"]),
 ("Wide World Importers", "wideworldimporters.com", "Wide World Importers Ltd", "wwimporters.onmicrosoft.com", ["Wide World Exporters"]),
 ("Adventure Works Cycles", "adventure-works.com", "Adventure Works", "adventureworks.onmicrosoft.com", ["Adventure Travel"]),
 ("Lighthouse Group", "lighthousegroup.co.uk", "The Lighthouse Group Ltd", "lighthousegrp.onmicrosoft.com", ["Lighthouse Marine"]),
 ("Coho Winery", "cohowinery.com", "Coho Vineyard & Winery", "cohowinery.onmicrosoft.com;cohowinery.com", ["Coho Brewery"]),
 ("Litware, Inc.", "litware.com", "Litware", "litware.onmicrosoft.com", ["Lightware"]),
 ("Proseware Inc", "proseware.com", "Prosewar", "proseware.onmicrosoft.com", ["Prose Publishing"]),
 ("Woodgrove Bank", "woodgrovebank.com", "Woodgrove Bank PLC", "woodgrove.onmicrosoft.com", ["Woodgrove Insurance"]),
 ("Trey Research", "treyresearch.net", "Trey Reserch", "treyresearch.onmicrosoft.com", ["Trey Consulting"]),
 ("Alpine Ski House", "alpineskihouse.com", "Alpine Ski Haus", "alpineskihouse.onmicrosoft.com", ["Alpine Bike House"]),
 ("Margie's Travel", "margiestravel.com", "Margies Travel", "margiestravel.onmicrosoft.com", ["Maggie's Travel"]),
 ("O'Brien Electrical Contractors", "obrienelectrical.ie", "OBrien Electrical", "obrienelectrical.onmicrosoft.com", ["O'Brien Plumbing"]),
 ("St. Mary's Medical Center", "stmarysmc.org", "Saint Marys Medical Centre", "stmarysmc.onmicrosoft.com", ["St. Mark's Medical Center"]),
 ("Mount Pleasant Dental", "mtpleasantdental.com", "Mt Pleasant Dental", "mtpleasantdental.onmicrosoft.com", ["Mount Pleasant Vet"]),
 ("Harborview Hospital", "harborview.org", "HARBORVIEW HOSP", "harborview.onmicrosoft.com", ["Harbor Freight"]),
 ("Riverside Manufacturing Co.", "riversidemfg.com", "Riverside Mfg", "riversidemfg.onmicrosoft.com", ["Riverside Marketing"]),
 ("Johnson Brothers Construction", "jbconstruction.com", "Johnson Bros Constr", "jbconstruction.onmicrosoft.com", ["Johnson Construction Supply"]),
 ("Parker & Associates", "parkerassoc.com", "Parker Assoc", "parkerassoc.onmicrosoft.com", ["Parker Accounting"]),
 ("International Business Machines", "ibm-example.com", "IBM", "ibmexample.onmicrosoft.com", ["International Paper"]),
 ("Hewlett Packard Example", "hpx.example", "HPE", "hpexample.onmicrosoft.com;hpx.example", []),
 ("Greenfield Landscaping", "greenfieldlandscaping.com", "Default Directory", "greenfieldlandscaping.onmicrosoft.com;greenfieldlandscaping.com", ["Greenfield Farms"]),
 ("Summit Accounting", "summitcpa.com", "Contoso (Summit)", "summitcpa.com", ["Summit Realty"]),
 ("Brightline Legal", "brightlinelegal.com", "BLL Tenant", "brightlinelegal.com;brightline.onmicrosoft.com", ["Bright Horizons Legal"]),
 ("Oakwood Veterinary Clinic", "oakwoodvet.com", "oakwoodvet", "oakwoodvet.onmicrosoft.com", ["Oakwood Dental Clinic"]),
 ("Pinnacle Roofing", "pinnacleroofing.com", "Pinnacle Roofing & Siding", "pinnacleroofing.onmicrosoft.com", ["Pinnacle Plumbing"]),
 ("Sunrise Senior Living", "sunrise-senior.com", "Sunrise Senior Living Inc", "sunrisesenior.onmicrosoft.com", ["Sunset Senior Living"]),
 ("Maple Leaf Logistics Inc.", "mapleleaflogistics.ca", "Maple Leaf Logistic", "mapleleaf.onmicrosoft.com", ["Maple Leaf Foods"]),
 ("Kangaroo Freight Pty Ltd", "kangaroofreight.com.au", "Kangaroo Freight", "kangaroofreight.onmicrosoft.com", ["Kangaroo Island Tours"]),
 ("Kiwi Kitchens Limited", "kiwikitchens.co.nz", "Kiwi Kitchens", "kiwikitchens.onmicrosoft.com", ["Kiwi Bathrooms Limited"]),
 ("Schneider Elektrotechnik GmbH & Co. KG", "schneider-elektro.de", "Schneider Elektrotechnik", "schneiderelektro.onmicrosoft.com", ["Schneider Haustechnik GmbH"]),
 ("Bergmann Maschinenbau AG", "bergmann-mb.de", "Bergmann Maschinenbau", "bergmannmb.onmicrosoft.com", ["Bergmann Logistik AG"]),
 ("Weiß & Söhne KG", "weiss-soehne.at", "Weiss und Soehne", "weisssoehne.onmicrosoft.com", ["Weiß Immobilien"]),
 ("Zürcher Treuhand AG", "zuercher-treuhand.ch", "Zuercher Treuhand", "zuerchertreuhand.onmicrosoft.com", ["Zürcher Versicherung AG"]),
 ("Boulangerie Dupont et Fils", "dupont-boulangerie.fr", "Dupont & Fils Boulangerie", "dupontboulangerie.onmicrosoft.com", ["Pâtisserie Dupont"]),
 ("Les Jardins de Provence SAS", "jardinsprovence.fr", "Jardins de Provence", "jardinsprovence.onmicrosoft.com", ["Les Jardins de Bretagne"]),
 ("Agence Immobilière Lefèvre", "lefevre-immo.fr", "Agence Immobiliere Lefevre", "lefevreimmo.onmicrosoft.com", ["Agence Lefort"]),
 ("Van den Berg Transport BV", "vdbergtransport.nl", "Vandenberg Transport", "vdbergtransport.onmicrosoft.com", ["Van den Broek Transport BV"]),
 ("Åkesson Bygg AB", "akessonbygg.se", "Akesson Bygg", "akessonbygg.onmicrosoft.com", ["Åkerlund Bygg AB"]),
 ("Østergaard Rådgivning A/S", "ostergaard.dk", "Ostergaard Radgivning", "ostergaard.onmicrosoft.com", ["Østergaard Biler"]),
 ("Ziegler Holzbau", "ziegler-holzbau.de", "Zeigler Holzbau", "zieglerholzbau.onmicrosoft.com", ["Ziegler Stahlbau"]),
 ("Cervecería del Sur S.A. de C.V.", "cerveceriadelsur.mx", "Cerveceria del Sur", "cerveceriadelsur.onmicrosoft.com", ["Cervecería del Norte"]),
 ("Construtora Andrade Ltda.", "andradeconstrutora.com.br", "Construtora Andrade", "andradeconstrutora.onmicrosoft.com", ["Andrade Engenharia"]),
 ("Oficina Mecânica São Paulo ME", "mecanicasp.com.br", "Oficina Mecanica Sao Paulo", "mecanicasp.onmicrosoft.com", ["Oficina Elétrica São Paulo"]),
 ("Taj Spices Pvt Ltd", "tajspices.in", "Taj Spices Private Limited", "tajspices.onmicrosoft.com", ["Taj Textiles Pvt Ltd"]),
 ("Lim & Tan Pte Ltd", "limtan.sg", "Lim and Tan", "limtan.onmicrosoft.com", ["Tan Brothers Pte Ltd"]),
 ("Wong Kee Trading Sdn Bhd", "wongkee.my", "Wong Kee Trading", "wongkee.onmicrosoft.com", ["Wong Brothers Trading Sdn Bhd"]),
 ("PT Maju Bersama Tbk", "majubersama.co.id", "Maju Bersama", "majubersama.onmicrosoft.com", ["PT Maju Jaya"]),
 ("OOO Romashka", "romashka.ru", "Romashka", "romashka.onmicrosoft.com", ["OOO Vasilek"]),
 ("Kowalski i Synowie", "kowalski-synowie.pl", "Kowalski & Synowie", "kowalskisynowie.onmicrosoft.com", ["Kowalczyk i Wspólnicy"]),
 ("Horváth Kft.", "horvath-kft.hu", "Horvath", "horvathkft.onmicrosoft.com", ["Horváth és Társa Bt."]),
 ("Popescu Construct SRL", "popescuconstruct.ro", "Popescu Construct", "popescuconstruct.onmicrosoft.com", ["Popescu Transport SRL"]),
 ("Papadopoulos Shipping", "papadopoulos-shipping.gr", "Papadopoulos Shipping SA", "papadopoulos.onmicrosoft.com", ["Papadakis Shipping"]),
 ("Yılmaz İnşaat", "yilmazinsaat.com.tr", "Yilmaz Insaat", "yilmazinsaat.onmicrosoft.com", ["Yıldız İnşaat"]),
 ("Cohen & Levi Law Offices", "cohenlevi.co.il", "Cohen Levi Law", "cohenlevi.onmicrosoft.com", ["Cohen Accounting"]),
 ("Al Mansour Trading LLC", "almansour.ae", "Al-Mansour Trading", "almansour.onmicrosoft.com", ["Al Mansoori Group"]),
 ("Ngata Whānau Trust", "ngatatrust.nz", "Ngata Whanau Trust", "ngatatrust.onmicrosoft.com", []),
 ("Red Rock Dental Studio", "redrockdental.com", "RedRock Dental", "redrockdental.onmicrosoft.com", ["Red Rock Dental Lab", "Red River Dental"]),
 ("Silverline Logistics", "silverline.io", "Silver Line Logistics", "silverlinelog.onmicrosoft.com", ["Silverstone Logistics"]),
 ("Bluebird Childcare", "bluebirdchildcare.org", "Blue Bird Child Care", "bluebirdcc.onmicrosoft.com", ["Bluebell Childcare"]),
 ("Evergreen Property Management", "evergreenpm.com", "Evergreen Property Mgmt", "evergreenpm.onmicrosoft.com", ["Evergreen Property Sales"]),
 ("First National Credit Union", "firstnationalcu.org", "First Natl Credit Union", "firstnationalcu.onmicrosoft.com", ["First National Bank"]),
 ("Lakeside Family Medicine", "lakesidefm.com", "Lakeside Family Med", "lakesidefm.onmicrosoft.com", ["Lakeside Family Dental"]),
 ("Precision Machining Technologies", "precisionmt.com", "Precision Machining Tech", "precisionmt.onmicrosoft.com", ["Precision Machining Supply"]),
 ("Global Freight Solutions", "globalfreight.com", "Global Freight Solution Inc", "globalfreight.onmicrosoft.com", ["Global Freight Systems"]),
 ("Heritage Insurance Brokers", "heritagebrokers.com", "Heritage Ins Brokers", "heritagebrokers.onmicrosoft.com", ["Heritage Realty Brokers"]),
 ("Quantum Engineering Partners", "quantumeng.com", "Quantum Engg Partners", "quantumeng.onmicrosoft.com", ["Quantum Electric"]),
 ("Crescent Moon Bakery", "crescentmoonbakery.com", "Cresent Moon Bakery", "crescentmoon.onmicrosoft.com", ["Half Moon Bakery"]),
 ("Thompson Hine Dental", "thdental.com", "Thompson-Hine Dental", "thdental.onmicrosoft.com", ["Thompson Dental"]),
 ("Baker McKenzie Accounting", "bmaccounting.com", "McKenzie Baker Accounting", "bmaccounting.onmicrosoft.com", ["Baker Tilly Accounting"]),
 ("Northern Lights Electric", "nlelectric.com", "Northern Lights Electrical", "nlelectric.onmicrosoft.com", ["Northern Lights Solar"]),
 ("City of Springfield", "springfield.gov", "Springfield City", "springfieldcity.onmicrosoft.com", ["Springfield Utilities"]),
 ("Westside Community Church", "westsidechurch.org", "West Side Community Church", "westsidechurch.onmicrosoft.com", ["Eastside Community Church"]),
 ("Hope Foundation", "hopefoundation.org", "The Hope Foundation Inc", "hopefdn.onmicrosoft.com", ["Hope Hospice Foundation"]),
 ("Sterling & Wolfe Architects", "sterlingwolfe.com", "Sterling Wolfe Architecture", "sterlingwolfe.onmicrosoft.com", ["Sterling Architects"]),
 ("Golden Gate Realty", "goldengaterealty.com", "GoldenGate Realty Group", "goldengate.onmicrosoft.com", ["Golden Gate Properties"]),
 ("Ironclad Security Services", "ironcladsecurity.com", "Ironclad Security Svcs", "ironclad.onmicrosoft.com", ["Ironwood Security"]),
 ("Apex Auto Repair", "apexauto.com", "APEX AUTO REPAIR LLC", "apexauto.onmicrosoft.com", ["Apex Auto Glass"]),
 ("Hilltop Veterinary Hospital", "hilltopvet.com", "Hilltop Vet Hospital", "hilltopvet.onmicrosoft.com", ["Hilltop Animal Hospital"]),
 ("Coastal Dermatology Associates", "coastalderm.com", "Coastal Dermatology", "coastalderm.onmicrosoft.com", ["Coastal Cardiology Associates"]),
 ("Pacific Northwest Timber", "pnwtimber.com", "PNW Timber", "pnwtimber.onmicrosoft.com;pnwtimber.com", ["Pacific Timber Supply"]),
 ("Desert Sun Solar", "desertsunsolar.com", "DSS", "dss.onmicrosoft.com;desertsunsolar.com", ["Desert Sun Pools"]),
 ("Magnolia Bakery & Cafe", "magnoliabakery.com", "Magnolia Cafe and Bakery", "magnoliabakery.onmicrosoft.com", ["Magnolia Florist"]),
 ("Tri-County Pediatrics", "tricountypeds.com", "TriCounty Pediatrics", "tricountypeds.onmicrosoft.com", ["Tri-County Orthopedics"]),
 ("Big Sky Ranch Supply", "bigskyranch.com", "Big Sky Ranch Supplies", "bigskyranch.onmicrosoft.com", ["Big Sky Realty"]),
 ("Emerald City Coffee", "emeraldcitycoffee.com", "Emerald City Coffee Co.", "emeraldcity.onmicrosoft.com", ["Emerald Coast Coffee"]),
 ("Redwood Financial Advisors", "redwoodfa.com", "Redwood Fin Advisors", "redwoodfa.onmicrosoft.com", ["Redwood Legal Advisors"]),
 ("Granite State Plumbing", "granitestateplumbing.com", "Granite St. Plumbing", "granitestate.onmicrosoft.com", ["Granite State Electric"]),
 ("Liberty Home Health", "libertyhh.com", "Liberty Home Healthcare", "libertyhh.onmicrosoft.com", ["Liberty Home Inspections"]),
 ("Copperfield Law Group", "copperfieldlaw.com", "Copperfield Law", "copperfieldlaw.onmicrosoft.com", ["Copperfield Accounting Group"]),
 ("Bayside Marine Supply", "baysidemarine.com", "Bay Side Marine", "baysidemarine.onmicrosoft.com", ["Bayside Boat Rentals"]),
 ("Mountain View Orthodontics", "mvortho.com", "Mountain View Ortho", "mvortho.onmicrosoft.com", ["Mountain View Dental"]),
 ("Sørensen & Berg Advokatfirma", "sorensenberg.no", "Sorensen og Berg Advokatfirma AS", "sorensenberg.onmicrosoft.com", ["Berg Advokatfirma"]),
 ("Château Lafleur", "chateaulafleur.fr", "Chateau La Fleur", "chateaulafleur.onmicrosoft.com", ["Château Lafite"]),
 ("Dr. Schmidt Zahnarztpraxis", "zahnarzt-schmidt.de", "Zahnarztpraxis Dr. Schmidt", "zahnarztschmidt.onmicrosoft.com", ["Dr. Schmitt Tierarztpraxis"]),
 ("Grupo Hernández", "grupohernandez.mx", "Hernandez Group", "grupohernandez.onmicrosoft.com", ["Grupo Fernández"]),
 ("Stadtwerke Neustadt", "stadtwerke-neustadt.de", "Stadtwerke Neustadt GmbH", "swneustadt.onmicrosoft.com", ["Stadtwerke Altstadt"]),
 ("Bright Smile Orthodontics", "brightsmileortho.com", "brightsmileortho.com", "brightsmileortho.onmicrosoft.com", ["Bright Smile Dental"]),
 ("Evans Haulage Ltd", "evanshaulage.co.uk", "Evans Haulage Limited", "evanshaulage.onmicrosoft.com", ["Evans Plant Hire Ltd"]),
 ("McAllister & Co Solicitors", "mcallistersolicitors.co.uk", "McAllister Solicitors", "mcallister.onmicrosoft.com", ["MacAllister Estate Agents"]),
 ("Patel Pharmacy", "patelpharmacy.co.uk", "Patel Chemists", "patelpharmacy.onmicrosoft.com;patelpharmacy.co.uk", ["Patel Opticians"]),
]
# Tenants that belong to no organization in the list.
NONE = [("Default Directory", "contosotest.onmicrosoft.com"), ("Fourth Coffee", "fourthcoffee.onmicrosoft.com"),
        ("Relecloud", "relecloud.onmicrosoft.com"), ("Smith Roofing", "smithroofing.onmicrosoft.com"),
        ("Northwind Electric", "northwindelectric.onmicrosoft.com"), ("Humongous Insurance", "humongousins.onmicrosoft.com")]
FIRST = ["Alder", "Birch", "Cedar", "Delta", "Echo", "Falcon", "Garnet", "Harbor", "Indigo", "Juniper", "Keystone", "Lumen",
         "Meridian", "Nimbus", "Onyx", "Prairie", "Quarry", "Raven", "Sierra", "Timber", "Union", "Vertex", "Willow", "Yarrow", "Zenith",
         "Atlas", "Beacon", "Cobalt", "Dune", "Ember", "Fern", "Glacier", "Heron", "Iris", "Jade", "Kestrel", "Linden", "Maple", "North", "Oak"]
TRADE = ["Plumbing", "Dental", "Logistics", "Accounting", "Law", "Electric", "Roofing", "Consulting", "Bakery", "Realty",
         "Engineering", "Medical", "Insurance", "Construction", "Marketing", "Veterinary", "Pharmacy", "Architects", "Landscaping", "Transport"]
LEGAL = ["", "", "", " LLC", " Inc.", " Ltd", " GmbH", " B.V.", " SARL", " AB", " Pty Ltd", " S.A."]
orgs = []
def add_org(name, domains):
    orgs.append((name, domains)); return len(orgs) - 1
answer = []
tenants = []
for (on, od, tn, td, dis) in E:
    i = add_org(on, od)
    for d in dis:
        add_org(d, "")
    tenants.append((tn, td)); answer.append(i)
for (tn, td) in NONE:
    tenants.append((tn, td)); answer.append(None)
seen = {o[0].lower() for o in orgs}
while len(orgs) < 600:
    n = random.choice(FIRST) + " " + random.choice(TRADE) + random.choice(LEGAL)
    if n.lower() in seen: continue
    seen.add(n.lower()); add_org(n, "")
# Shuffle organizations so list order says nothing.
order = list(range(len(orgs))); random.shuffle(order)
pos = {old: new for new, old in enumerate(order)}
import os
out = os.path.dirname(os.path.abspath(__file__)) + "/"
with open(out + "organizations.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["name", "domains"])
    for old in order: w.writerow(orgs[old])
with open(out + "tenants.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["name", "domains"])
    for t in tenants: w.writerow(t)
with open(out + "labels.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["tenant_row", "organization_row"])
    for i, a in enumerate(answer): w.writerow([i, "" if a is None else pos[a]])
print(len(tenants), len(orgs))
